// Service groups through the real service, placement and migration manager,
// with fake agents: tasks join a group, the group moves as one request in
// balanced rounds (start order first, one replica at a time), and a failed
// member rolls the group back (or leaves it, onFailure leave).
import { afterEach, describe, expect, it } from "vitest";
import type { GroupMigrationRecord } from "../../../../src/api-types/scheduler.js";
import type { SchedulerApp } from "../../../../scheduler/service/app.js";
import { type FakeAgent, FakeProber } from "../migration/fakes.js";
import { CLOUD, EDGE, fakeAgents, LOOSE, makeApp, snapshot } from "./helpers.js";

let app: SchedulerApp;
afterEach(() => app?.close());

const BIG_EDGE = { ...EDGE, cpus: 3 };
const CLOUD_AGENT = { ...CLOUD, endpoint: "http://127.0.0.1:7703" };
const RESUMED = {
  phase: "awaiting-commit" as const,
  resumedAt: "2026-01-01T00:00:01Z",
  metrics: { strategy: "stopcopy" as const, reason: "test", totalMs: 200, downtimeMs: 150, bytesBeforeResume: 5_000_000, bytesAfterResume: 0, pagesOnFault: 0, pagesPushed: 0, breakdown: { dumpMs: 40, transferMs: 100 } },
};
/** db (start order 0), api twice (order 1), web (order 1). */
const SHOP = [
  { id: "db", group: { name: "shop", member: "db", order: 0 } },
  { id: "api-0", group: { name: "shop", member: "api", order: 1, replica: 0 } },
  { id: "api-1", group: { name: "shop", member: "api", order: 1, replica: 1 } },
  { id: "web", group: { name: "shop", member: "web", order: 1 } },
];

async function shop(opts: { allowFaults?: boolean } = {}) {
  const calls: string[] = [];
  const agents = fakeAgents(calls);
  const prober = new FakeProber(calls);
  app = await makeApp([BIG_EDGE, CLOUD_AGENT], { agents: agents.directory, prober, limits: { pollMs: 1 }, ...opts });
  for (const t of SHOP) expect((await app.inject({ method: "POST", url: "/v1/tasks", payload: { ...LOOSE, ...t } })).statusCode).toBe(201);
  const edge = agents.directory(BIG_EDGE.endpoint!, "edge1") as FakeAgent;
  const cloud = agents.directory(CLOUD_AGENT.endpoint, "cloud1") as FakeAgent;
  edge.script = [RESUMED];
  // Each side holds what the other sends it (the moves back leave the cloud).
  edge.peer = cloud;
  cloud.peer = edge;
  return { calls, agents, prober };
}

const migrate = (payload: object) => app.inject({ method: "POST", url: "/v1/groups/shop/migrations", payload });

async function finished(id: string): Promise<GroupMigrationRecord> {
  for (;;) {
    const r = (await app.inject({ method: "GET", url: `/v1/groups/shop/migrations/${id}` })).json() as GroupMigrationRecord;
    if (r.finishedAt !== null) return r;
    await new Promise((res) => setTimeout(res, 5));
  }
}

const nodesOf = async () => Object.fromEntries((await app.inject({ method: "GET", url: "/v1/placements" })).json().map((p: { request: { id: string }; node: string }) => [p.request.id, p.node]));

describe("service groups", () => {
  it("tasks join a group; GET /v1/groups lists it with where each member runs", async () => {
    await shop();
    const groups = (await app.inject({ method: "GET", url: "/v1/groups" })).json();
    expect(groups).toEqual([
      {
        name: "shop",
        members: [
          { task: "db", member: "db", replica: 0, order: 0, node: "edge1" },
          { task: "api-0", member: "api", replica: 0, order: 1, node: "edge1" },
          { task: "api-1", member: "api", replica: 1, order: 1, node: "edge1" },
          { task: "web", member: "web", replica: 0, order: 1, node: "edge1" },
        ],
      },
    ]);
    expect((await app.inject({ method: "GET", url: "/v1/tasks/api-1" })).json().request.group).toEqual({ name: "shop", member: "api", order: 1, replica: 1 });
  });

  it("a group is kept in the state journal: a scheduler restarted on the same --state-dir knows it", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const stateDir = mkdtempSync(join(tmpdir(), "fmgrp-unit-"));
    try {
      app = await makeApp([BIG_EDGE, CLOUD_AGENT], { agents: fakeAgents().directory, prober: new FakeProber([]), stateDir });
      for (const t of SHOP) await app.inject({ method: "POST", url: "/v1/tasks", payload: { ...LOOSE, ...t } });
      const before = (await app.inject({ method: "GET", url: "/v1/groups" })).json();
      await app.close();
      app = await makeApp([BIG_EDGE, CLOUD_AGENT], { agents: fakeAgents().directory, prober: new FakeProber([]), stateDir });
      expect((await app.inject({ method: "GET", url: "/v1/groups" })).json()).toEqual(before);
      expect(before[0].members).toHaveLength(4);
    } finally {
      await app.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it("refuses a replica held twice, and replicas that disagree on the start order", async () => {
    await shop();
    const twice = await app.inject({ method: "POST", url: "/v1/tasks", payload: { ...LOOSE, id: "x", group: { name: "shop", member: "api", order: 1, replica: 1 } } });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().message).toMatch(/already has member api replica 1 \(task api-1\)/);
    const order = await app.inject({ method: "POST", url: "/v1/tasks", payload: { ...LOOSE, id: "y", group: { name: "shop", member: "api", order: 2, replica: 2 } } });
    expect(order.statusCode).toBe(409);
    expect(order.json().message).toMatch(/member api of group shop has start order 1/);
  });

  it("moves the group as one request: db first, then api-0 beside web, then api-1; every member Migrated on cloud1", async () => {
    const { calls } = await shop();
    const events: Array<{ type: string; state?: string; round?: number; parallelism?: number | null }> = [];
    app.scheduler.events.subscribe((e) => events.push(e));
    const res = await migrate({ to: "cloud1", strategy: "stopcopy" });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ id: "g-1", group: "shop", to: "cloud1", state: "running", onFailure: "rollback" });
    const g = await finished("g-1");
    expect(g.state, g.log.join("\n")).toBe("completed");
    expect(g.rounds.map((r) => r.tasks)).toEqual([["db"], ["api-0", "web"], ["api-1"]]);
    // 4 after two full-speed transfers, bounded to 2: every member leaves edge1 (2 outbound per node).
    expect(g.rounds.map((r) => r.parallelism)).toEqual([1, 2, 2]);
    expect(g.rounds[2]!.reason).toMatch(/doubling to 4; bounded to 2 by the limits \(2 outbound per node × 1 source node\(s\)\)/);
    expect(g.rounds[0]!.reason).toMatch(/first round/);
    expect(g.rounds[2]!.reason).toMatch(/1 eligible of start order 1/);
    expect(g.rounds[0]!.transfers).toEqual([{ task: "db", bytes: 5_000_000, ms: 100, mbps: 400 }]);
    expect(g.members.map((m) => [m.task, m.phase, m.state, m.runsOn, m.downtimeMs])).toEqual([
      ["db", "Migrated", "COMPLETED", "cloud1", 150],
      ["api-0", "Migrated", "COMPLETED", "cloud1", 150],
      ["api-1", "Migrated", "COMPLETED", "cloud1", 150],
      ["web", "Migrated", "COMPLETED", "cloud1", 150],
    ]);
    expect(g.totalMs).toBeGreaterThanOrEqual(0);
    // Announced: requested, each round, the outcome.
    expect(events.filter((e) => e.type === "group.migration").map((e) => [e.state, e.round, e.parallelism])).toEqual([
      ["running", 0, null],
      ["running", 1, 1],
      ["running", 2, 2],
      ["running", 3, 2],
      ["completed", 3, 2],
    ]);
    expect(await nodesOf()).toEqual({ db: "cloud1", "api-0": "cloud1", "api-1": "cloud1", web: "cloud1" });
    // Each replica moved only after the other answered a probe.
    const api1Start = calls.indexOf("edge1.startMigration api-1");
    expect(calls.slice(0, api1Start).filter((c) => c.startsWith("probe ")).length).toBeGreaterThan(0);
    expect(g.log.some((l) => /api-1: replica api-0 answers/.test(l))).toBe(true);
    // One manager migration per member.
    expect((await app.inject({ method: "GET", url: "/v1/migrations" })).json().map((m: { task: { id: string } }) => m.task.id)).toEqual(["db", "api-0", "web", "api-1"]);
  });

  it("a member that fails rolls the group back: the moved members come back through the manager, each runs in one place", async () => {
    await shop({ allowFaults: true });
    const res = await migrate({ to: "cloud1", faults: { web: { policyDenies: "not today" } } });
    expect(res.statusCode).toBe(202);
    const g = await finished("g-1");
    expect(g.state, g.log.join("\n")).toBe("rolled-back");
    expect(g.error).toMatch(/member web failed: migration m-3 FAILED: .*not today/);
    const byTask = Object.fromEntries(g.members.map((m) => [m.task, m]));
    expect(byTask.db).toMatchObject({ phase: "Moved back", state: "COMPLETED", backState: "COMPLETED", runsOn: "edge1" });
    expect(byTask["api-0"]).toMatchObject({ phase: "Moved back", runsOn: "edge1" });
    expect(byTask.web).toMatchObject({ phase: "Failed", state: "FAILED", runsOn: "edge1", backMigration: null });
    expect(byTask["api-1"]).toMatchObject({ phase: "Start", state: null, migration: null, runsOn: "edge1" });
    // Reverse start order: api-0 back before db.
    expect(Number(byTask["api-0"]!.backMigration!.slice(2))).toBeLessThan(Number(byTask.db!.backMigration!.slice(2)));
    expect(await nodesOf()).toEqual({ db: "edge1", "api-0": "edge1", "api-1": "edge1", web: "edge1" });
  });

  it("onFailure leave: the moved members stay; the record says where each runs", async () => {
    await shop({ allowFaults: true });
    await migrate({ to: "cloud1", onFailure: "leave", faults: { web: { policyDenies: "not today" } } });
    const g = await finished("g-1");
    expect(g.state).toBe("left");
    expect(g.members.map((m) => [m.task, m.runsOn])).toEqual([
      ["db", "cloud1"],
      ["api-0", "cloud1"],
      ["api-1", "edge1"],
      ["web", "edge1"],
    ]);
  });

  it("a replica moves only while another answers: none does, the group stops and rolls back", async () => {
    const { prober } = await shop();
    // api-1 (the fourth task placed: 10.77.0.4) does not answer; the others do.
    const probe = prober.probe.bind(prober);
    prober.probe = async (t) => (t.ip === "10.77.0.4" ? { ok: false, detail: "timed out" } : probe(t));
    await migrate({ to: "cloud1" });
    const g = await finished("g-1");
    expect(g.state).toBe("rolled-back");
    expect(g.error).toMatch(/api-0 failed: no other replica of api answers/);
    expect(await nodesOf()).toEqual({ db: "edge1", "api-0": "edge1", "api-1": "edge1", web: "edge1" });
  });

  it("checks the destination for every member first: no room for all, 409 and nothing moved", async () => {
    await shop();
    await app.inject({ method: "POST", url: "/v1/nodes", payload: { name: "cloud2", tier: "cloud", cpus: 1.5, netDelayMs: 60, endpoint: "http://127.0.0.1:7704" } });
    const before = await snapshot(app);
    const res = await migrate({ to: "cloud2" });
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toMatch(/group 'shop' cannot move to cloud2: member api-1: /);
    expect(await snapshot(app)).toEqual(before);
  });

  it("refuses what makes no sense, before any side effect", async () => {
    await shop();
    expect((await app.inject({ method: "POST", url: "/v1/groups/nope/migrations", payload: { to: "cloud1" } })).statusCode).toBe(404);
    expect((await migrate({ to: "mars" })).json().message).toMatch(/no node 'mars'/);
    expect((await migrate({ to: "edge1" })).json().message).toMatch(/every member of group 'shop' already runs on edge1/);
    const faults = await migrate({ to: "cloud1", faults: { web: { policyDenies: "x" } } });
    expect(faults.statusCode).toBe(400);
    expect(faults.json().message).toMatch(/--allow-faults/);
    expect((await migrate({ to: "cloud1", onFailure: "pray" })).statusCode).toBe(400);
    expect((await app.inject({ method: "GET", url: "/v1/groups/shop/migrations/g-9" })).statusCode).toBe(404);
    expect((await app.inject({ method: "GET", url: "/v1/groups/shop/migrations" })).json()).toEqual([]);
  });

  it("one run of a group at a time", async () => {
    const { agents } = await shop();
    let open!: () => void;
    agents.at.get(BIG_EDGE.endpoint!)!.gate = new Promise<void>((r) => (open = r));
    expect((await migrate({ to: "cloud1" })).statusCode).toBe(202);
    const again = await migrate({ to: "cloud1" });
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toMatch(/already migrating/);
    open();
    expect((await finished("g-1")).state).toBe("completed");
  });
});
