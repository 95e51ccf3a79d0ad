import { describe, expect, it } from "vitest";
import { emptyMetrics, type ManagedMove, noChanges } from "../../../../scheduler/migration/record.js";
import { MemoryStore } from "../../../../scheduler/migration/store.js";
import { ORDER, SERVICE, world } from "./fakes.js";

/** A move stored in EXECUTION by a scheduler that then died: the agent migration am-1 had started. */
function leftInExecution(): ManagedMove {
  return {
    id: "m-7",
    task: ORDER.task,
    from: "edge1",
    to: "cloud1",
    cpuShare: 0.7,
    fromEndpoint: "http://edge1",
    toEndpoint: "http://cloud1",
    workloadId: "t-1",
    service: SERVICE,
    state: "EXECUTION",
    strategy: "postcopy",
    reason: "postcopy available",
    requestedAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    agentMigrationId: "am-1",
    changes: { ...noChanges(), reserved: true, pathEnsured: true, agentStarted: true },
    metrics: emptyMetrics(),
    timeline: [],
    log: [],
  };
}

async function seeded(m: ManagedMove): Promise<MemoryStore> {
  const store = new MemoryStore();
  await store.save(m);
  return store;
}

describe("MigrationManager recovery", () => {
  it("finishes a move left in EXECUTION whose agent migration resumed: redirect, verify, commit", async () => {
    const w = world({ store: await seeded(leftInExecution()) });
    w.edge.migrationsStarted.push({ workload: "t-1", destination: "http://cloud1", commit: "manual" });
    const mgr = await w.start();
    await mgr.idle();
    const m = mgr.record("m-7")!;
    expect(m.state).toBe("COMPLETED");
    expect(m.log!.some((l) => l.startsWith("WARN [StateSynchronizer]: Recovering after a restart in EXECUTION"))).toBe(true);
    expect(m.log!).toContain("INFO [StateSynchronizer]: agent migration am-1 is in phase transferring: finishing EXECUTION");
    expect(w.calls.filter((c) => c.includes("startMigration"))).toEqual([]); // not started twice
    expect(w.calls).toContain("net.redirect 10.77.0.2->0000000000000002:7");
    expect(w.edge.committed).toBe(true);
    expect(w.cloud.workloadsHeld.has("t-1")).toBe(true);
    expect(w.edge.workloadsHeld.has("t-1")).toBe(false); // serving in exactly one place
    // New moves get ids after the recovered ones.
    expect((await mgr.request({ ...ORDER, task: { ...ORDER.task, id: "t-9" }, service: { ...SERVICE, workloadId: "t-9" } })).id).toBe("m-8");
    await mgr.close();
  });

  it("rolls back a move left in EXECUTION whose agent migration failed", async () => {
    const w = world({ store: await seeded(leftInExecution()) });
    w.edge.migrationsStarted.push({ workload: "t-1", destination: "http://cloud1", commit: "manual" });
    w.edge.script = [{ phase: "failed", status: "failed", error: "destination restore failed" }];
    w.edge.rollbackView = { phase: "failed", status: "failed" };
    const mgr = await w.start();
    await mgr.idle();
    const m = mgr.record("m-7")!;
    expect(m.state).toBe("FAILED");
    expect(m.log!.filter((l) => l.includes("Transitioning"))).toEqual([
      "WARN [StateSynchronizer]: agent migration am-1 failed (destination restore failed): rolling back - Transitioning: EXECUTION -> ROLLING_BACK",
      "INFO [MigrationManager]: Rolled back: workload serves on edge1 - Transitioning: ROLLING_BACK -> FAILED",
    ]);
    expect(w.edge.rolledBack).toBe(true);
    expect(w.edge.workloadsHeld.get("t-1")?.state).toBe("running");
    expect(w.cloud.workloadsHeld.has("t-1")).toBe(false);
  });

  it("a move stopped by close() is picked up by the next manager over the same store", async () => {
    const store = new MemoryStore();
    const w = world({ store });
    w.edge.script = [{ phase: "transferring" }]; // stuck until the second manager runs
    const first = await w.start();
    const rec = await first.request(ORDER);
    while (!w.calls.includes("edge1.startMigration t-1")) await new Promise((r) => setTimeout(r, 1));
    await first.close();
    expect((await store.loadAll())[0]!.state).toBe("EXECUTION");
    w.edge.script = [{ phase: "awaiting-commit", resumedAt: "2026-01-01T00:00:01Z" }];
    w.edge.polls = 0;
    const second = await w.start();
    await second.idle();
    expect(second.record(rec.id)!.state).toBe("COMPLETED");
    expect(w.edge.migrationsStarted).toHaveLength(1);
  });

  it("drops a move left in PENDING (nothing had changed)", async () => {
    const m = { ...leftInExecution(), state: "PENDING" as const, changes: noChanges(), agentMigrationId: undefined };
    const w = world({ store: await seeded(m) });
    const mgr = await w.start();
    expect(mgr.record("m-7")).toMatchObject({ state: "FAILED", error: expect.stringMatching(/restarted in PENDING/) });
    expect(w.calls.filter((c) => !c.startsWith("cap."))).toEqual([]);
  });
});
