// kill -9 of the scheduler loses nothing: an app is dropped without close()
// (what a crash leaves on disk) and a new one is built on the same
// --state-dir. Nodes, devices, tasks with their exact placements, service
// bindings, the address plan and the task ids come back; a move cut by the
// crash ends consistent with the placement (completed: the destination;
// rolled back: the source).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SchedulerApp } from "../../../../scheduler/service/app.js";
import { FakeProber } from "../migration/fakes.js";
import { CLOUD, EDGE, fakeAgents, LOOSE, makeApp, TIGHT } from "./helpers.js";

const CLOUD_AGENT = { ...CLOUD, endpoint: "http://127.0.0.1:7703" };
let stateDir: string;
const open: SchedulerApp[] = [];
beforeEach(() => {
  stateDir = mkdtempSync(path.join(tmpdir(), "fmd-restart-"));
});
afterEach(async () => {
  // Only the last app of each test is closed; the crashed ones are left as a kill -9 leaves them.
  await open.at(-1)?.close();
  open.length = 0;
  rmSync(stateDir, { recursive: true, force: true });
});

type Agents = ReturnType<typeof fakeAgents>;
async function start(agents: Agents, nodes = [EDGE, CLOUD_AGENT], log: string[] = []): Promise<SchedulerApp> {
  const app = await makeApp(nodes, { agents: agents.directory, prober: new FakeProber([]), limits: { pollMs: 1 }, stateDir, onMigrationLog: (l) => log.push(l) });
  open.push(app);
  return app;
}
const get = async (app: SchedulerApp, url: string) => (await app.inject({ method: "GET", url })).json();
const managerOf = (app: SchedulerApp) => (app.scheduler.executor as unknown as { manager: { idle(): Promise<void> } }).manager;
/** Everything a client sees of the state, migrations left out (their logs grow with recovery). */
const state = async (app: SchedulerApp) => ({
  nodes: await get(app, "/v1/nodes"),
  devices: await get(app, "/v1/devices"),
  placements: await get(app, "/v1/placements"),
});
const where = async (app: SchedulerApp) => Object.fromEntries((await get(app, "/v1/placements")).map((p: { request: { id: string }; node: string }) => [p.request.id, p.node]));

describe("a restart on the same --state-dir", () => {
  it("keeps nodes, devices, tasks, placements, bindings, the address plan and the task ids", async () => {
    const agents = fakeAgents();
    const a = await start(agents, [CLOUD_AGENT]);
    // Registered at run time, not given at start: only the store knows them.
    expect((await a.inject({ method: "POST", url: "/v1/nodes", payload: EDGE })).statusCode).toBe(201);
    expect((await a.inject({ method: "POST", url: "/v1/devices", payload: { id: "cam-9", site: "dock" } })).statusCode).toBe(201);
    await a.inject({ method: "POST", url: "/v1/tasks", payload: LOOSE });
    await a.inject({ method: "POST", url: "/v1/tasks", payload: TIGHT }); // case 3: t-1 moves to the cloud
    await a.inject({ method: "POST", url: "/v1/tasks", payload: { ...LOOSE, id: "mine", device: "cam-2", delayBudgetMs: 900 } });
    await managerOf(a).idle();
    const before = await state(a);
    expect(await where(a)).toEqual({ "t-1": "cloud1", "t-2": "edge1", mine: "edge1" });
    const t1 = await get(a, "/v1/tasks/t-1");
    expect(t1.serviceIp).toBe("10.77.0.2");

    const b = await start(agents, [CLOUD_AGENT]); // crash: `a` is never closed
    expect(await state(b)).toEqual(before);
    expect(await get(b, "/v1/tasks/t-1")).toEqual(t1);
    expect((await get(b, "/v1/migrations")).map((m: { state: string }) => m.state)).toEqual(["COMPLETED"]);
    // Capacity is what it was: the edge is full, so another tight task moves nothing left to move and is refused.
    expect((await b.inject({ method: "POST", url: "/v1/tasks", payload: TIGHT })).statusCode).toBe(409);
    // Ids go on after the stored ones, and the address plan knows the used IPs.
    const next = (await b.inject({ method: "POST", url: "/v1/tasks", payload: { ...LOOSE, delayBudgetMs: 900 } })).json();
    expect(next.task.id).toBe("t-4");
    expect([before.placements.map((p: { serviceIp: string }) => p.serviceIp), next.serviceIp].flat()).toEqual(["10.77.0.2", "10.77.0.3", "10.77.0.4", "10.77.0.5"]);
    // DELETE stops the workload where it runs now (the cloud, under the id the move gave it).
    agents.calls.length = 0;
    expect((await b.inject({ method: "DELETE", url: "/v1/tasks/t-1" })).json()).toMatchObject({ released: "t-1", node: "cloud1", workloadRemoved: true });
    expect(agents.calls).toEqual(["cloud1.deleteWorkload t-1"]);

    const beforeC = await state(b);
    const c = await start(agents, [CLOUD_AGENT]); // and again: the release and the new task are kept
    expect(await state(c)).toEqual(beforeC);
    expect(await where(c)).toEqual({ "t-2": "edge1", mine: "edge1", "t-4": "edge1" });
    expect((await get(c, "/v1/devices")).map((d: { id: string; tasks: number }) => [d.id, d.tasks])).toEqual([
      ["cam-9", 0],
      ["cam-1", 1],
      ["robot-1", 1],
      ["cam-2", 1],
    ]);
    expect((await get(c, "/v1/nodes")).map((n: { name: string }) => n.name)).toEqual(["cloud1", "edge1"]);
  });

  it("a move cut by the crash and finished by recovery leaves the task on the destination", async () => {
    const agents = fakeAgents();
    const a = await start(agents);
    await a.inject({ method: "POST", url: "/v1/tasks", payload: LOOSE });
    const edge = agents.at.get(EDGE.endpoint!)!;
    edge.gate = new Promise(() => {}); // the source agent's migration never answers in this run
    await a.inject({ method: "POST", url: "/v1/tasks", payload: TIGHT });
    await waitFor(() => edge.migrationsStarted.length === 1);
    expect(await where(a)).toEqual({ "t-1": "cloud1", "t-2": "edge1" });

    edge.gate = undefined;
    const log: string[] = [];
    const b = await start(agents, [EDGE, CLOUD_AGENT], log);
    await managerOf(b).idle();
    expect(log.some((l) => l.includes("Recovering after a restart"))).toBe(true);
    expect((await get(b, "/v1/migrations/m-1")).state).toBe("COMPLETED");
    expect(await where(b)).toEqual({ "t-1": "cloud1", "t-2": "edge1" });
    // and that is what the next restart finds
    expect(await where(await start(agents))).toEqual({ "t-1": "cloud1", "t-2": "edge1" });
  });

  it("a move cut by the crash and rolled back by recovery leaves the task on the source", async () => {
    const agents = fakeAgents();
    const a = await start(agents);
    await a.inject({ method: "POST", url: "/v1/tasks", payload: LOOSE });
    const edge = agents.at.get(EDGE.endpoint!)!;
    edge.gate = new Promise(() => {});
    await a.inject({ method: "POST", url: "/v1/tasks", payload: TIGHT });
    await waitFor(() => edge.migrationsStarted.length === 1);

    edge.gate = undefined;
    edge.script = [{ phase: "failed", error: "page server died" }];
    const b = await start(agents);
    await managerOf(b).idle();
    expect((await get(b, "/v1/migrations/m-1")).state).toBe("FAILED");
    expect(await where(b)).toEqual({ "t-1": "edge1", "t-2": "edge1" });
    expect(await where(await start(agents))).toEqual({ "t-1": "edge1", "t-2": "edge1" });
  });
});

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(cond()).toBe(true);
}
