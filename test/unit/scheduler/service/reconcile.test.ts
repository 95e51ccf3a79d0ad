// The store against the agents' reports: the pure Reconciler, then the
// service after a restart (the same state store, a new app), where it counts.
import { describe, expect, it } from "vitest";
import { Reconciler } from "../../../../scheduler/service/reconcile.js";
import { MemoryStateStore } from "../../../../scheduler/state/store.js";
import { CLOUD, EDGE, fakeAgents, LOOSE, makeApp } from "./helpers.js";

const T0 = "2026-12-01T00:00:00.000Z";
const T1 = "2026-12-01T00:00:03.000Z";
const T2 = "2026-12-01T00:00:06.000Z";

describe("Reconciler", () => {
  const exp = (expected: Record<string, string>, moving: string[] = []) => ({ node: "edge1", expected: new Map(Object.entries(expected)), moving: new Set(moving) });

  it("flags a workload the store places but the agent does not report, once two reports in a row show it", () => {
    const r = new Reconciler();
    expect(r.report(exp({ "t-1": "t-1" }), [], T0)).toEqual({ flagged: [], resolved: [] });
    const second = r.report(exp({ "t-1": "t-1" }), [], T1);
    expect(second.flagged).toEqual([{ kind: "missing", node: "edge1", task: "t-1", workload: "t-1", since: T0 }]);
    expect(r.missing("t-1")).toMatchObject({ since: T0 });
    // Still missing: no new flag. Reported again: resolved.
    expect(r.report(exp({ "t-1": "t-1" }), [], T2)).toEqual({ flagged: [], resolved: [] });
    expect(r.report(exp({ "t-1": "t-1" }), [{ id: "t-1" }], T2)).toEqual({ flagged: [], resolved: [second.flagged[0]] });
    expect(r.all()).toEqual([]);
  });

  it("flags a workload the agent reports that no task owns, and forgets a one-report blip", () => {
    const r = new Reconciler();
    r.report(exp({}), [{ id: "stray" }, { id: "blip" }], T0);
    const second = r.report(exp({}), [{ id: "stray" }], T1);
    expect(second.flagged).toEqual([{ kind: "unknown", node: "edge1", workload: "stray", since: T0 }]);
    expect(r.report(exp({}), [{ id: "stray" }, { id: "blip" }], T2).flagged).toEqual([]); // blip: not two in a row
    expect(r.forgetNode("edge1")).toEqual([second.flagged[0]]);
    expect(r.all()).toEqual([]);
  });

  it("counts an exited workload as not running", () => {
    const r = new Reconciler();
    r.report(exp({ "t-1": "t-1" }), [{ id: "t-1", state: "exited" }], T0);
    expect(r.report(exp({ "t-1": "t-1" }), [{ id: "t-1", state: "exited" }], T1).flagged).toMatchObject([{ kind: "missing", task: "t-1" }]);
  });

  it("leaves a task whose move is in flight alone, and every unknown workload of a node such a move touches", () => {
    const r = new Reconciler();
    for (const at of [T0, T1, T2]) expect(r.report(exp({ "t-1": "t-1" }, ["t-1"]), [{ id: "t-1-moved" }], at)).toEqual({ flagged: [], resolved: [] });
  });

  it("a workload id that now belongs to another task is a new discrepancy, not the old one", () => {
    const r = new Reconciler();
    r.report(exp({ w: "t-1" }), [], T0);
    expect(r.report(exp({ w: "t-2" }), [], T1).flagged).toEqual([]);
    expect(r.report(exp({ w: "t-2" }), [], T2).flagged).toMatchObject([{ task: "t-2", since: T1 }]);
  });
});

describe("the scheduler reconciles with its agents' reports after a restart", () => {
  it("flags the placed task its agent no longer runs, and the workload its agent runs that the scheduler does not know (events, task view, GET /v1/reconciliation)", async () => {
    let now = Date.parse(T0);
    const store = new MemoryStateStore();
    const agents = fakeAgents();
    const first = await makeApp([EDGE, CLOUD], { stateStore: store, agents: agents.directory, now: () => new Date(now) });
    const placed = await first.inject({ method: "POST", url: "/v1/tasks", payload: { ...LOOSE, id: "t-1" } });
    expect(placed.json()).toMatchObject({ node: "edge1" });
    const report = (app: typeof first, ids: string[]) =>
      app.inject({ method: "PUT", url: "/v1/nodes/edge1/report", payload: { cpu: { usage: 0.1, cores: 1 }, workloads: ids.map((id) => ({ id, cpu: 0, memoryBytes: 0 })) } });
    // Before the restart the agent reports what the store says: nothing flagged.
    for (let i = 0; i < 3; i++) expect((await report(first, ["t-1"])).statusCode).toBe(200);
    expect((await first.inject({ method: "GET", url: "/v1/reconciliation" })).json()).toEqual({ missing: [], unknown: [] });
    await first.close();

    const second = await makeApp([EDGE, CLOUD], { stateStore: store, agents: agents.directory, now: () => new Date(now) });
    const events: Array<{ type: string }> = [];
    second.scheduler.events.subscribe((e) => events.push(e as { type: string }));
    try {
      // The workload died while the scheduler was down, and an operator started another by hand.
      await report(second, ["by-hand"]);
      now += 3_000;
      await report(second, ["by-hand"]);
      const since = new Date(Date.parse(T0)).toISOString();
      expect(events.filter((e) => e.type.startsWith("reconcile."))).toEqual([
        expect.objectContaining({ type: "reconcile.missing", node: "edge1", task: "t-1", workload: "t-1", since }),
        expect.objectContaining({ type: "reconcile.unknown", node: "edge1", workload: "by-hand", since }),
      ]);
      expect((await second.inject({ method: "GET", url: "/v1/tasks/t-1" })).json()).toMatchObject({ node: "edge1", missing: true });
      expect((await second.inject({ method: "GET", url: "/v1/reconciliation" })).json()).toEqual({
        missing: [{ kind: "missing", node: "edge1", task: "t-1", workload: "t-1", since }],
        unknown: [{ kind: "unknown", node: "edge1", workload: "by-hand", since }],
      });
      // The agent runs both again / the stray one is gone: resolved.
      await report(second, ["t-1"]);
      expect(events.filter((e) => e.type === "reconcile.resolved")).toHaveLength(2);
      expect((await second.inject({ method: "GET", url: "/v1/tasks/t-1" })).json().missing).toBe(false);
      expect((await second.inject({ method: "GET", url: "/v1/reconciliation" })).json()).toEqual({ missing: [], unknown: [] });
      // A node without an agent (no endpoint) runs nothing of ours: its reports are not judged.
      await second.inject({ method: "PUT", url: "/v1/nodes/cloud1/report", payload: { workloads: [{ id: "x" }] } });
      await second.inject({ method: "PUT", url: "/v1/nodes/cloud1/report", payload: { workloads: [{ id: "x" }] } });
      expect((await second.inject({ method: "GET", url: "/v1/reconciliation" })).json().unknown).toEqual([]);
    } finally {
      await second.close();
    }
  });

  it("a released task's flag goes with it", async () => {
    const app = await makeApp([EDGE, CLOUD]);
    try {
      await app.inject({ method: "POST", url: "/v1/tasks", payload: { ...LOOSE, id: "t-1" } });
      for (let i = 0; i < 2; i++) await app.inject({ method: "PUT", url: "/v1/nodes/edge1/report", payload: { workloads: [] } });
      expect((await app.inject({ method: "GET", url: "/v1/reconciliation" })).json().missing).toHaveLength(1);
      await app.inject({ method: "DELETE", url: "/v1/tasks/t-1" });
      expect((await app.inject({ method: "GET", url: "/v1/reconciliation" })).json().missing).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
