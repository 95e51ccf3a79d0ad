// GET /v1/workloads is the truth: a direct workload whose process tree ended
// is listed as exited, with its exit status or the signal that ended it, and
// one still running stays running. Real processes in their PID namespaces and
// cgroups; the agent in-process on loopback.
import { existsSync } from "node:fs";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { detectCapabilities } from "../../../../edge-agent/capabilities.js";
import { CGROUP_ROOT } from "../../../../edge-agent/runtime/cgroup.js";
import type { WorkloadRecord } from "../../../../edge-agent/runtime/types.js";
import { Agent } from "../../../../edge-agent/service/agent.js";
import { buildApp } from "../../../../edge-agent/service/app.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";
import { requestJson } from "../../../helpers/http.js";
import { waitFor } from "../../../helpers/wait.js";
import { TEST_ALLOW } from "../../../helpers/allow-list.js";

const cgroupV1 = (): boolean => existsSync(path.join(CGROUP_ROOT, "cpu", "cpu.cfs_quota_us"));

describeWhen("an agent's workload list", missing([needs.root(), [cgroupV1, "no cgroup v1 cpu controller"]]), () => {
  let agent: Agent;
  let app: FastifyInstance;
  let base = "";
  const node = `fmw-${process.pid}`;
  const ids = ["exits-3", "killed", "runs"];

  beforeAll(async () => {
    agent = new Agent({ node, tier: "edge", selfUrl: "", workRoot: `/dev/shm/${node}`, allow: TEST_ALLOW }, await detectCapabilities());
    app = await buildApp(agent);
    base = await app.listen({ host: "127.0.0.1", port: 0 });
  }, 120_000);

  afterAll(async () => {
    for (const id of ids) await agent?.deleteWorkload(id, { force: true }).catch(() => undefined);
    await app?.close();
  });

  const list = async () => (await requestJson<{ workloads: WorkloadRecord[] }>("GET", `${base}/v1/workloads`)).body.workloads;
  const byId = async (id: string) => (await list()).find((w) => w.id === id);

  it("marks a tree that exited by itself, and one killed from outside, and keeps the running one", async () => {
    const create = (id: string, script: string) =>
      requestJson<WorkloadRecord>("POST", `${base}/v1/workloads`, { id, command: ["/bin/sh", "-c", script], cpuLimit: 0.2 });
    expect((await create("exits-3", "sleep 0.3; exit 3")).status).toBe(201);
    const killed = (await create("killed", "sleep 600")).body;
    expect((await create("runs", "sleep 600")).status).toBe(201);
    expect(killed.state).toBe("running");

    process.kill(killed.pid!, "SIGKILL");
    const exited = await waitFor(async () => ((await byId("exits-3"))?.state === "exited" ? byId("exits-3") : undefined), { what: "exits-3 listed as exited" });
    expect(exited?.exit).toMatchObject({ code: 3 });
    const gone = await waitFor(async () => ((await byId("killed"))?.state === "exited" ? byId("killed") : undefined), { what: "killed listed as exited" });
    // The launcher (unshare -f) passes a signal on by re-raising it, which SIGKILL cannot be: it exits 1.
    expect(gone?.exit).toMatchObject({ code: 1, at: expect.any(String) });
    expect((await byId("runs"))?.state).toBe("running");
  });

  it("still deletes an exited workload, leaving no cgroup behind", async () => {
    const record = await byId("exits-3");
    expect(record?.cgroup).toBeTruthy();
    expect((await requestJson("DELETE", `${base}/v1/workloads/exits-3`)).status).toBe(204);
    expect(existsSync(path.join(CGROUP_ROOT, "cpu", record!.cgroup!))).toBe(false);
    expect(await byId("exits-3")).toBeUndefined();
  });
});
