// Tasks on nodes with agents: their workload runs there with a service IP,
// a failed start leaves nothing placed, DELETE removes the workload, and
// moves between agent nodes go through the migration manager.
import { afterEach, describe, expect, it } from "vitest";
import { ServiceError, ServiceUnreachable } from "../../../../src/http/client-errors.js";
import type { SchedulerApp } from "../../../../scheduler/service/app.js";
import { PROFILED_SERVER } from "../../../../scheduler/service/workload-catalog.js";
import { FakeNetwork, FakeProber } from "../migration/fakes.js";
import { CLOUD, EDGE, fakeAgents, LOOSE, makeApp, snapshot, TIGHT } from "./helpers.js";

let app: SchedulerApp;
afterEach(() => app?.close());

const post = (payload: object) => app.inject({ method: "POST", url: "/v1/tasks", payload });
const CLOUD_AGENT = { ...CLOUD, endpoint: "http://127.0.0.1:7703" };
const placements = async () =>
  Object.fromEntries((await app.inject({ method: "GET", url: "/v1/placements" })).json().map((p: { request: { id: string }; node: string }) => [p.request.id, p.node]));

describe("POST /v1/tasks on a node with an agent", () => {
  it("starts the workload there with a service IP, fixed MAC and its CPU share, and answers where it serves", async () => {
    const agents = fakeAgents();
    app = await makeApp([EDGE, CLOUD], { agents: agents.directory });
    const res = await post(LOOSE);
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ node: "edge1", serviceIp: "10.77.0.2", dnsName: null, port: 8080 });
    const edge = agents.at.get(EDGE.endpoint!)!;
    expect(edge.created).toEqual([
      {
        id: "t-1",
        command: [process.execPath, expect.stringMatching(/\/image-server-[0-9a-f]{12}\.mjs$/)],
        cpuLimit: body.cpuShare,
        ports: [8080],
        env: { FLEXIMIGRATE_WORKLOAD_HOST: "0.0.0.0", FLEXIMIGRATE_WORKLOAD_PORT: "8080", UV_USE_IO_URING: "0" },
        probePath: "/process?size=small",
        labels: { "fleximigrate.task": "t-1" },
        network: { ip: "10.77.0.2", prefixLen: 16, mac: "02:00:0a:4d:00:02", gateway: "10.77.0.1" },
      },
    ]);
    expect(PROFILED_SERVER).toMatch(/^\/.*scheduler\/profiling\/server\.ts$/);
    const view = (await app.inject({ method: "GET", url: "/v1/tasks/t-1" })).json();
    expect(view).toMatchObject({ serviceIp: "10.77.0.2", port: 8080, unavailable: false });
  });

  it("with a controller: sets TASK.svc.<zone> and answers once the service answers", async () => {
    const calls: string[] = [];
    app = await makeApp([EDGE, CLOUD], { agents: fakeAgents(calls).directory, network: new FakeNetwork(calls), prober: new FakeProber(calls) });
    const body = (await post(LOOSE)).json();
    expect(body.dnsName).toBe("t-1.svc.fleximigrate.local");
    expect(calls).toEqual(["edge1.createWorkload t-1", "net.setDns t-1.svc.fleximigrate.local=10.77.0.2", "probe 10.77.0.2:8080/process?size=small"]);
  });

  it("an agent that refuses: 409 with its reason, nothing placed, the IP free again", async () => {
    const agents = fakeAgents();
    // A /30 holds one service address: the second start gets it only if the failed one gave it back.
    app = await makeApp([EDGE, CLOUD], { agents: agents.directory, serviceCidr: "10.9.0.0/30" });
    const before = await snapshot(app);
    const edge = agents.directory(EDGE.endpoint!, "edge1") as ReturnType<typeof agents.at.get> & object;
    edge.createWorkload = async () => {
      throw new ServiceError("agent edge1", EDGE.endpoint!, "POST", "/v1/workloads", 409, { message: "cgroup cpu controller missing" });
    };
    const res = await post(LOOSE);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: "WORKLOAD_FAILED", reason: "cgroup cpu controller missing" });
    expect(await snapshot(app)).toEqual(before);
    delete (edge as { createWorkload?: unknown }).createWorkload; // the prototype's again
    expect((await post(LOOSE)).json().serviceIp).toBe("10.9.0.2");
  });

  it("an unreachable agent: 502, and a case-3 decision's moves are undone too", async () => {
    const agents = fakeAgents();
    app = await makeApp([EDGE, CLOUD], { agents: agents.directory });
    await post(LOOSE);
    const before = await snapshot(app);
    agents.at.get(EDGE.endpoint!)!.createWorkload = async () => {
      throw new ServiceUnreachable("agent edge1", EDGE.endpoint!, "POST", "/v1/workloads", "ECONNREFUSED");
    };
    const res = await post(TIGHT);
    expect(res.statusCode).toBe(502);
    expect(res.json()).toMatchObject({ code: "UNAVAILABLE", reason: "agent unreachable: ECONNREFUSED" });
    expect(await snapshot(app)).toEqual(before);
    expect(await placements()).toEqual({ "t-1": "edge1" });
  });
});

describe("DELETE /v1/tasks/:id", () => {
  it("stops and removes the workload, deletes its DNS record and frees its IP", async () => {
    const calls: string[] = [];
    app = await makeApp([EDGE, CLOUD], { agents: fakeAgents(calls).directory, network: new FakeNetwork(calls), prober: new FakeProber(calls) });
    await post(LOOSE);
    const del = await app.inject({ method: "DELETE", url: "/v1/tasks/t-1" });
    expect(del.json()).toEqual({ released: "t-1", node: "edge1", workloadRemoved: true });
    expect(calls.slice(-2)).toEqual(["edge1.deleteWorkload t-1", "net.deleteDns t-1.svc.fleximigrate.local"]);
    expect((await post(LOOSE)).json().serviceIp).toBe("10.77.0.3"); // round robin over the block; .2 is free again
  });
});

describe("moves between nodes with agents", () => {
  async function twoAgents(calls: string[] = []) {
    const agents = fakeAgents(calls);
    app = await makeApp([EDGE, CLOUD_AGENT], { agents: agents.directory, prober: new FakeProber(calls), limits: { pollMs: 1 } });
    const events: Array<{ type: string; state?: string }> = [];
    app.scheduler.events.subscribe((e) => events.push(e));
    return { agents, events, calls };
  }

  it("a case-3 move runs through the manager to COMPLETED; GET /v1/migrations/:id shows it", async () => {
    const { agents, events, calls } = await twoAgents();
    await post(LOOSE);
    const placed = (await post(TIGHT)).json();
    expect(placed.case).toBe(3);
    expect(placed.migrations).toEqual([expect.objectContaining({ id: "m-1", state: "PENDING", status: "requested" })]);
    const mgr = (app.scheduler.executor as unknown as { manager: { idle(): Promise<void> } }).manager;
    await mgr.idle();
    const m = (await app.inject({ method: "GET", url: "/v1/migrations/m-1" })).json();
    expect(m).toMatchObject({ state: "COMPLETED", status: "done", strategy: "postcopy", from: "edge1", to: "cloud1" });
    expect(m.log.at(-1)).toBe("INFO [MigrationManager]: Final State: COMPLETED");
    expect(m.timeline.length).toBeGreaterThan(5);
    expect(agents.at.get(EDGE.endpoint!)!.migrationsStarted[0]).toMatchObject({ workload: "t-1", destination: CLOUD_AGENT.endpoint, commit: "manual" });
    expect(events.filter((e) => e.type === "migration.transition").map((e) => e.state)).toEqual([
      "PENDING",
      "PLANNING",
      "PREPARATION",
      "EXECUTION",
      "VERIFICATION",
      "COMPLETED",
    ]);
    expect(await placements()).toEqual({ "t-1": "cloud1", "t-2": "edge1" });
    expect((await app.inject({ method: "GET", url: "/v1/migrations/m-9" })).statusCode).toBe(404);
    // Released after the move: its workload goes from where it runs now.
    expect((await app.inject({ method: "DELETE", url: "/v1/tasks/t-1" })).json()).toEqual({ released: "t-1", node: "cloud1", workloadRemoved: true });
    expect(calls.at(-1)).toBe("cloud1.deleteWorkload t-1");
  });

  it("releasing a task mid-migration rolls the move back, then removes the workload from the source", async () => {
    const { agents, calls } = await twoAgents();
    await post(LOOSE);
    const edge = agents.at.get(EDGE.endpoint!)!;
    edge.script = [{ phase: "transferring" }]; // never resumes
    await post(TIGHT);
    while (!calls.includes("edge1.startMigration t-1")) await new Promise((r) => setTimeout(r, 1));
    const del = await app.inject({ method: "DELETE", url: "/v1/tasks/t-1" });
    expect(del.json()).toEqual({ released: "t-1", node: "edge1", workloadRemoved: true });
    expect(calls.indexOf("edge1.rollbackMigration")).toBeLessThan(calls.indexOf("edge1.deleteWorkload t-1"));
    const m = (await app.inject({ method: "GET", url: "/v1/migrations/m-1" })).json();
    expect(m).toMatchObject({ state: "FAILED", error: "cancelled: the task was released" });
    expect(await placements()).toEqual({ "t-2": "edge1" });
  });

  it("a failed move puts the task back on its source in the placement", async () => {
    const { agents } = await twoAgents();
    await post(LOOSE);
    agents.at.get(EDGE.endpoint!)!.script = [{ phase: "failed", status: "failed", error: "dump failed" }];
    await post(TIGHT);
    await (app.scheduler.executor as unknown as { manager: { idle(): Promise<void> } }).manager.idle();
    expect((await app.inject({ method: "GET", url: "/v1/migrations/m-1" })).json().state).toBe("FAILED");
    expect(await placements()).toEqual({ "t-1": "edge1", "t-2": "edge1" });
  });
});

describe("the migration journal under --state-dir", () => {
  it("keeps moves across a restart; new ids follow the stored ones", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const stateDir = mkdtempSync(join(tmpdir(), "fmm-state-"));
    try {
      const opts = { agents: fakeAgents().directory, prober: new FakeProber([]), limits: { pollMs: 1 }, stateDir };
      app = await makeApp([EDGE, CLOUD_AGENT], opts);
      await post(LOOSE);
      await post(TIGHT);
      await (app.scheduler.executor as unknown as { manager: { idle(): Promise<void> } }).manager.idle();
      await app.close();
      app = await makeApp([EDGE, CLOUD_AGENT], { ...opts, agents: fakeAgents().directory });
      const list = (await app.inject({ method: "GET", url: "/v1/migrations" })).json();
      expect(list).toEqual([expect.objectContaining({ id: "m-1", state: "COMPLETED", task: expect.objectContaining({ id: "t-1" }) })]);
      // The placements are kept too (state.jsonl): free the edge to get a case-3 move again.
      expect(await placements()).toEqual({ "t-1": "cloud1", "t-2": "edge1" });
      expect((await app.inject({ method: "DELETE", url: "/v1/tasks/t-2" })).statusCode).toBe(200);
      expect((await post(LOOSE)).json().task.id).toBe("t-3");
      expect((await post(TIGHT)).json().migrations[0].id).toBe("m-2");
    } finally {
      await app.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
