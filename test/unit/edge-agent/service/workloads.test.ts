// POST /v1/workloads validates before anything is made on the host: no type
// coercion, no silently dropped field, a missing binary or a port in use is
// the client's 4xx (never a 500), and the runtime, which makes the cgroup, is
// not even called. A create that fails after the runtime began is answered as
// undone.
import net from "node:net";
import type { FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, describe, expect, it, type MockInstance, vi } from "vitest";
import type { DirectRuntime } from "../../../../edge-agent/runtime/direct.js";
import { StartFailedError } from "../../../../edge-agent/runtime/start-failed.js";
import type { WorkloadRecord, WorkloadSpec } from "../../../../edge-agent/runtime/types.js";
import { Agent } from "../../../../edge-agent/service/agent.js";
import { buildApp } from "../../../../edge-agent/service/app.js";
import { TEST_ALLOW } from "../../../helpers/allow-list.js";

const caps = { criu: { present: false, checkOk: false, features: {} }, docker: { present: false }, cgroupCpu: { ok: true }, strategies: {} };
const GOOD = { command: ["sleep", "30"], cpuLimit: 0.5 };

let agent: Agent;
let app: FastifyInstance;
let create: MockInstance<DirectRuntime["create"]>;

beforeAll(async () => {
  agent = new Agent({ node: "edge1", tier: "edge", selfUrl: "http://127.0.0.1:7701", workRoot: "/tmp/fm-workloads-unused", allow: TEST_ALLOW }, caps);
  app = await buildApp(agent);
});

afterAll(async () => {
  await app.close();
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** The direct runtime, replaced: these tests must not make cgroups; `answer` says what it does when called. */
function stubRuntime(answer: (id: string, spec: WorkloadSpec) => Promise<WorkloadRecord>) {
  create = vi.spyOn(agent.direct, "create").mockImplementation(answer);
}

const post = (payload: unknown) => app.inject({ method: "POST", url: "/v1/workloads", payload: JSON.stringify(payload), headers: { "content-type": "application/json" } });
const listed = async () => (await app.inject({ method: "GET", url: "/v1/workloads" })).json();

describe("POST /v1/workloads refuses bad input before the runtime is called", () => {
  const cases: Array<[string, unknown, number, string, RegExp]> = [
    ['"cpuLimit":"0.1" (no coercion)', { ...GOOD, cpuLimit: "0.1" }, 400, "VALIDATION_FAILED", /body\/cpuLimit must be number/],
    ['"ports":["8080"] (no coercion)', { ...GOOD, ports: ["8080"] }, 400, "VALIDATION_FAILED", /body\/ports\/0 must be integer/],
    ["an unknown field (not silently dropped)", { ...GOOD, memLimit: 64 }, 400, "VALIDATION_FAILED", /unknown properties: memLimit/],
    ["a binary this agent does not have", { ...GOOD, command: ["/nonexistent/fm-no-such-binary"] }, 400, "BAD_REQUEST", /body\/command\/0: no executable '\/nonexistent\/fm-no-such-binary'/],
    ["a binary not on PATH", { ...GOOD, command: ["fm-no-such-binary-on-path"] }, 400, "BAD_REQUEST", /body\/command\/0: no executable 'fm-no-such-binary-on-path'/],
    ["too many labels", { ...GOOD, labels: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`l${i}`, "x"])) }, 400, "VALIDATION_FAILED", /body\/labels must NOT have more than 64 properties/],
    ["a network on an agent without --bridge", { ...GOOD, network: { ip: "10.77.9.10", prefixLen: 24, mac: "02:00:0a:4d:09:0a" } }, 400, "BAD_REQUEST", /body\/network: this agent has no bridge/],
    ["a network for a Docker workload", { image: "busybox", cpuLimit: 1, network: { ip: "10.77.9.10", prefixLen: 24, mac: "02:00:0a:4d:09:0a" } }, 400, "BAD_REQUEST", /a workload's own network needs the direct runtime/],
    ["a network prefix beyond 32", { ...GOOD, network: { ip: "10.77.9.10", prefixLen: 33, mac: "02:00:0a:4d:09:0a" } }, 400, "VALIDATION_FAILED", /body\/network\/prefixLen/],
    ["a malformed MAC", { ...GOOD, network: { ip: "10.77.9.10", prefixLen: 24, mac: "02:00:0a" } }, 400, "VALIDATION_FAILED", /body\/network\/mac/],
  ];
  for (const [what, body, status, code, message] of cases) {
    it(`${what}: ${status} ${code}, nothing made`, async () => {
      stubRuntime(async () => {
        throw new Error("the runtime must not be called");
      });
      const before = await listed();
      const res = await post(body);
      expect(res.statusCode, res.body).toBe(status);
      expect(res.json()).toMatchObject({ statusCode: status, code, message: expect.stringMatching(message) });
      expect(create).not.toHaveBeenCalled();
      expect(await listed()).toEqual(before);
    });
  }

  it("a port another process holds on this host: 409 naming the port, nothing made (it was a 500 and a cgroup left behind)", async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, "0.0.0.0", resolve));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      stubRuntime(async () => {
        throw new Error("the runtime must not be called");
      });
      const res = await post({ ...GOOD, ports: [port] });
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json()).toMatchObject({ code: "CONFLICT", port, message: expect.stringContaining(`body/ports: port ${port} is in use`) });
      expect(create).not.toHaveBeenCalled();
      expect(await listed()).toEqual({ workloads: [] });
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});

describe("a Docker workload's ports are checked on the host too (Docker publishes them there)", () => {
  it("a port in use: 409 before the container is created", async () => {
    const dockerAgent = new Agent({ node: "edge2", tier: "edge", selfUrl: "http://127.0.0.1:7702", workRoot: "/tmp/fm-workloads-unused", allow: TEST_ALLOW }, { ...caps, docker: { present: true } });
    const dockerApp = await buildApp(dockerAgent);
    const created = vi.spyOn(dockerAgent.docker, "create").mockRejectedValue(new Error("the runtime must not be called"));
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, "0.0.0.0", resolve));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      const res = await dockerApp.inject({ method: "POST", url: "/v1/workloads", payload: { image: "busybox:latest", cpuLimit: 0.5, ports: [port] } });
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json()).toMatchObject({ code: "CONFLICT", port });
      expect(created).not.toHaveBeenCalled();
    } finally {
      await new Promise((resolve) => holder.close(resolve));
      await dockerApp.close();
    }
  });
});

describe("a create that fails after the runtime began is undone, and says so", () => {
  it("a port taken between the check and the listen: 409 with undone: true, no workload recorded", async () => {
    const taken = Object.assign(new Error("listen EADDRINUSE: address already in use 0.0.0.0:18080"), { code: "EADDRINUSE", port: 18080 });
    stubRuntime(async (id) => {
      throw new StartFailedError(`workload ${id} did not start (undone: its processes, ports and cgroup are gone): ${taken.message}`, taken);
    });
    const res = await post(GOOD);
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json()).toMatchObject({ code: "CONFLICT", port: 18080, undone: true, message: expect.stringMatching(/undone/) });
    expect(create).toHaveBeenCalledTimes(1);
    expect(await listed()).toEqual({ workloads: [] });
  });

  it("any other start failure: 500 with undone: true, no workload recorded", async () => {
    stubRuntime(async (id) => {
      throw new StartFailedError(`workload ${id} did not start (undone: its processes, ports and cgroup are gone): unshare gave no child`, new Error("unshare gave no child"));
    });
    const logged = vi.spyOn(agent, "log").mockImplementation(() => undefined);
    const res = await post(GOOD);
    expect(res.statusCode, res.body).toBe(500);
    expect(logged).toHaveBeenCalledWith(expect.stringMatching(/unshare gave no child/));
    expect(res.json()).toMatchObject({ code: "INTERNAL", undone: true, message: expect.stringMatching(/undone/) });
    expect(await listed()).toEqual({ workloads: [] });
  });

  it("a valid create reaches the runtime with the spec as sent, defaults filled", async () => {
    stubRuntime(async (id, spec) => ({ id, runtime: "direct", spec, state: "running", createdAt: "2026-01-01T00:00:00.000Z" }));
    const res = await post({ ...GOOD, id: "w-ok" });
    expect(res.statusCode, res.body).toBe(201);
    // With a group of its own, named before it starts (id plus a random suffix).
    expect(create).toHaveBeenCalledWith("w-ok", { command: ["sleep", "30"], cpuLimit: 0.5, ports: [], labels: {} }, { cgroup: expect.stringMatching(/\/w-ok\.[0-9a-f]{8}$/) });
    expect(await agent.deleteWorkload("w-ok")).toBe(true);
  });

  it("a journal write that fails after the tree started: 503, the workload removed again, nothing listed", async () => {
    stubRuntime(async (id, spec) => ({ id, runtime: "direct", spec, state: "running", createdAt: "2026-01-01T00:00:00.000Z" }));
    const removed = vi.spyOn(agent.direct, "remove").mockResolvedValue();
    vi.spyOn(agent, "persist").mockRejectedValue(new Error("agent state write failed: ENOSPC"));
    const res = await post({ ...GOOD, id: "w-nodisk" });
    expect(res.statusCode, res.body).toBe(503);
    expect(res.json()).toMatchObject({ code: "UNAVAILABLE", message: expect.stringMatching(/ENOSPC.*w-nodisk was not kept \(undone\)/) });
    expect(removed).toHaveBeenCalledWith(expect.objectContaining({ id: "w-nodisk" }));
    expect(await listed()).toEqual({ workloads: [] });
  });
});
