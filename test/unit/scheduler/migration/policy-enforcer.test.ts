// The policies' verdict in the manager: each action and constraint has its
// effect on the move (with the manager's fakes), and a real policies file
// decides through the enforcer over a live-data context with a fixed clock.
import { describe, expect, it } from "vitest";
import type { MoveRecord } from "../../../../src/api-types/scheduler.js";
import { policyEnforcer } from "../../../../scheduler/migration/policy-enforcer.js";
import type { MigrationPolicyHook, PolicyVerdict, QueuePlace } from "../../../../scheduler/migration/ports.js";
import { DEFAULT_EFFECTS, type PolicyEffects } from "../../../../scheduler/policy/actions.js";
import { loadPolicies } from "../../../../scheduler/policy/loader.js";
import { ORDER, workload, world } from "./fakes.js";

function hook(effects: Partial<PolicyEffects>, opts: { decidedBy?: string; queue?: (m: MoveRecord) => QueuePlace } = {}): MigrationPolicyHook {
  const e: PolicyEffects = { ...DEFAULT_EFFECTS, ...effects, constraints: { ...effects.constraints } };
  const decidedBy = opts.decidedBy ?? "p";
  return {
    name: "test",
    check: async (): Promise<PolicyVerdict> =>
      e.allow
        ? { allow: true, reason: `policy ${decidedBy} (priority 1) allows the move: x holds`, decidedBy, effects: e }
        : { allow: false, reason: `policy ${decidedBy} (priority 1) denies the move: x holds`, decidedBy, effects: e },
    ...(opts.queue ? { queuePlace: async (m: MoveRecord) => opts.queue!(m) } : {}),
  };
}

const orderFor = (id: string) => ({ ...ORDER, request: id, task: { ...ORDER.task, id }, service: { ...ORDER.service, workloadId: id } });

describe("policy actions in the manager", () => {
  it("allow: the record and the log say which policy decided and why", async () => {
    const w = world({ policy: hook({ priority: "high" }, { decidedBy: "adaptive_load_balancing" }) });
    const mgr = await w.start();
    const done = (await mgr.settled((await mgr.request(ORDER)).id))!;
    expect(done.state).toBe("COMPLETED");
    expect(done.policy).toEqual({
      decidedBy: "adaptive_load_balancing",
      allow: true,
      reason: "policy adaptive_load_balancing (priority 1) allows the move: x holds",
      priority: "high",
      gradualRedirect: false,
      notify: [],
      constraints: {},
    });
    expect(done.log).toContain("INFO [PolicyEnforcer]: policy adaptive_load_balancing (priority 1) allows the move: x holds");
  });

  it("deny_migration: FAILED in PLANNING with the policy's reason, nothing touched", async () => {
    const w = world({ policy: hook({ allow: false }, { decidedBy: "night" }) });
    const mgr = await w.start();
    const done = (await mgr.settled((await mgr.request(ORDER)).id))!;
    expect(done).toMatchObject({ state: "FAILED", error: "policy night (priority 1) denies the move: x holds", policy: { decidedBy: "night", allow: false } });
    expect(done.log).toContain("ERROR [PolicyEnforcer]: PLANNING failed: policy night (priority 1) denies the move: x holds - Transitioning: PLANNING -> FAILED");
    expect(w.calls.filter((c) => /reserve|startMigration|ensurePath|redirect/.test(c))).toEqual([]);
  });

  it("set_priority: queued moves start high first, then normal, then low (oldest first within one)", async () => {
    const prio: Record<string, QueuePlace["priority"]> = { "t-2": "low", "t-3": "high", "t-4": "normal", "t-5": "high" };
    const w = world({ limits: { maxParallel: 1 }, policy: hook({}, { queue: (m) => ({ priority: prio[m.task.id] ?? "normal", decidedBy: "p" }) }) });
    for (const id of ["t-2", "t-3", "t-4", "t-5"]) w.edge.workloadsHeld.set(id, workload(id, "edge1"));
    let open!: () => void;
    w.edge.gate = new Promise<void>((r) => (open = r));
    const mgr = await w.start();
    await mgr.request(orderFor("t-1"));
    while (!w.calls.includes("edge1.startMigration t-1")) await new Promise((r) => setTimeout(r, 1));
    for (const id of ["t-2", "t-3", "t-4", "t-5"]) await mgr.request(orderFor(id));
    expect(mgr.records().filter((r) => r.state === "PENDING")).toHaveLength(4);
    open();
    await mgr.idle();
    const started = w.calls.filter((c) => c.startsWith("edge1.startMigration")).map((c) => c.split(" ")[1]);
    expect(started).toEqual(["t-1", "t-3", "t-5", "t-4", "t-2"]);
    expect(mgr.records().every((r) => r.state === "COMPLETED")).toBe(true);
    expect(mgr.record("m-2")!.log).toContain("INFO [PolicyEnforcer]: queued with low priority (policy p)");
  });

  it("require_strategy: PLANNING uses the required strategy, or fails saying why", async () => {
    const w = world({ policy: hook({ requireStrategy: "precopy" }) });
    const mgr = await w.start();
    const rec = (await mgr.settled((await mgr.request(ORDER)).id))!;
    expect(rec.state).toBe("COMPLETED");
    expect(rec.strategy).toBe("precopy");
    expect(rec.reason).toMatch(/precopy available on edge1 and cloud1 \(asked for\); required by policy p/);
    expect(w.edge.migrationsStarted[0]!.strategy).toBe("precopy");

    const w2 = world({ policy: hook({ requireStrategy: "postcopy" }) });
    w2.cloud.strategies = { ...w2.cloud.strategies, postcopy: { ok: false, reason: "kernel without userfaultfd" } };
    const mgr2 = await w2.start();
    const rec2 = (await mgr2.settled((await mgr2.request(ORDER)).id))!;
    expect(rec2).toMatchObject({ state: "FAILED", error: "policy p requires postcopy: no strategy both agents can run: postcopy unavailable (cloud1: kernel without userfaultfd)" });
    expect(w2.edge.migrationsStarted).toEqual([]);

    const w3 = world({ policy: hook({ requireStrategy: "postcopy" }) });
    const mgr3 = await w3.start();
    const rec3 = (await mgr3.settled((await mgr3.request({ ...ORDER, strategy: "stopcopy" })).id))!;
    expect(rec3).toMatchObject({ state: "FAILED", error: "policy p requires strategy postcopy, the move asked for stopcopy" });
  });

  it("trigger_load_balancer_reconfiguration: this move's redirect is gradual; others keep the configured one", async () => {
    const w = world({ policy: hook({ gradualRedirect: true }) });
    const mgr = await w.start();
    expect((await mgr.settled((await mgr.request(ORDER)).id))!.state).toBe("COMPLETED");
    expect(w.network.redirects.map((r) => r.strategy)).toEqual(["gradual"]);
    const plain = world({ policy: hook({}) });
    const mgr2 = await plain.start();
    await mgr2.settled((await mgr2.request(ORDER)).id);
    expect(plain.network.redirects.map((r) => r.strategy)).toEqual(["per-service"]);
  });

  it("notify: each message goes out once, with the move and the policy", async () => {
    const w = world({ policy: hook({ notify: ["moving a critical service", "second"] }, { decidedBy: "crit" }) });
    const sent: string[] = [];
    const mgr = await w.start({ notify: (move, policy, message) => sent.push(`${move.id} ${move.task.id} ${policy}: ${message}`) });
    const done = (await mgr.settled((await mgr.request(ORDER)).id))!;
    expect(sent).toEqual(["m-1 t-1 crit: moving a critical service", "m-1 t-1 crit: second"]);
    expect(done.log).toContain("INFO [PolicyEnforcer]: notify: moving a critical service");
  });

  it("max_bandwidth_mbps: the agent's migration is throttled (megabits to bytes per second)", async () => {
    const w = world({ policy: hook({ constraints: { max_bandwidth_mbps: 80 } }) });
    const mgr = await w.start();
    await mgr.settled((await mgr.request(ORDER)).id);
    expect(w.edge.migrationsStarted[0]).toMatchObject({ bandwidthBps: 10_000_000 });
    const plain = world({ policy: hook({}) });
    const mgr2 = await plain.start();
    await mgr2.settled((await mgr2.request(ORDER)).id);
    expect(plain.edge.migrationsStarted[0]).not.toHaveProperty("bandwidthBps");
  });

  it("max_concurrent_migrations: a queued move waits while that many are in flight, and PLANNING refuses one past it", async () => {
    const w = world({ policy: hook({}, { queue: (m) => ({ priority: "normal", ...(m.task.id === "t-2" ? { maxConcurrent: 1 } : {}) }) }) });
    w.edge.workloadsHeld.set("t-2", workload("t-2", "edge1"));
    let open!: () => void;
    w.edge.gate = new Promise<void>((r) => (open = r));
    const mgr = await w.start();
    await mgr.request(orderFor("t-1"));
    while (!w.calls.includes("edge1.startMigration t-1")) await new Promise((r) => setTimeout(r, 1));
    await mgr.request(orderFor("t-2"));
    await new Promise((r) => setTimeout(r, 20));
    expect(mgr.record("m-2")!.state).toBe("PENDING"); // maxParallel 5 would let it go: the cap holds it
    open();
    await mgr.idle();
    const calls = w.calls;
    expect(calls.indexOf("edge1.startMigration t-2")).toBeGreaterThan(calls.indexOf("edge1.commitMigration"));
    expect(mgr.record("m-2")!.state).toBe("COMPLETED");

    // No queue preview (or it changed its mind): PLANNING counts the moves in flight itself.
    const w2 = world({ policy: hook({ constraints: { max_concurrent_migrations: 1 } }) });
    w2.edge.workloadsHeld.set("t-2", workload("t-2", "edge1"));
    let open2!: () => void;
    w2.edge.gate = new Promise<void>((r) => (open2 = r));
    const mgr2 = await w2.start();
    await mgr2.request(orderFor("t-1"));
    while (!w2.calls.includes("edge1.startMigration t-1")) await new Promise((r) => setTimeout(r, 1));
    const second = (await mgr2.settled((await mgr2.request(orderFor("t-2"))).id))!;
    expect(second).toMatchObject({ state: "FAILED", error: "policy p: 1 other move(s) in flight, max_concurrent_migrations 1" });
    open2();
    await mgr2.idle();
  });

  it("migration_duration: past it the move is rolled back, with the reason", async () => {
    const w = world({ policy: hook({ constraints: { migration_duration: 300 } }, { decidedBy: "short" }), limits: { minCompletionMs: 1e9 } });
    w.edge.script = [{ phase: "transferring" }]; // progresses (bytes grow per poll) but never resumes
    let t = Date.parse("2026-01-01T00:00:00Z");
    const mgr = await w.start({ now: () => new Date(t), sleep: async () => void (t += 10_000) });
    const done = (await mgr.settled((await mgr.request(ORDER)).id))!;
    expect(done.state).toBe("FAILED");
    expect(done.error).toBe("policy short: migration_duration 300 s exceeded in EXECUTION");
    expect(done.log).toContain("INFO [PolicyEnforcer]: constraints: rolled back past 300 s");
    expect(done.log!.some((l) => l.startsWith("ERROR [PolicyEnforcer]: EXECUTION failed: policy short: migration_duration 300 s exceeded"))).toBe(true);
    expect(w.edge.rolledBack).toBe(true);
    expect(w.calls).toContain("cap.undo edge1");
    // Rolled back after 300 s, not much later: the check runs at every poll.
    expect(done.metrics!.totalMs).toBeGreaterThan(300_000);
    expect(done.metrics!.totalMs).toBeLessThanOrEqual(320_000);
  });
});

describe("a policies file through the enforcer, over live data", () => {
  const FILE = `
policies:
  - policy_name: adaptive_load_balancing
    CONTEXT: [source_cpu_utilization, destination_cpu_utilization, time_of_day, network_congestion_prob, service_type]
    CONDITIONS: (source_cpu_utilization > 80 and destination_cpu_utilization < 50) or (time_of_day >= 18 and time_of_day <= 22 and service_type == "critical") or (network_congestion_prob < 0.2)
    ACTIONS: [allow_migration, set_priority("high"), trigger_load_balancer_reconfiguration]
    CONSTRAINTS: {max_concurrent_migrations: 5, migration_duration: 300}
    PRIORITY: 2
  - policy_name: gold_stays
    CONTEXT: [labels, migration_size_mb]
    CONDITIONS: '"tier=gold" in labels and migration_size_mb > 100'
    ACTIONS: [deny_migration]
    PRIORITY: 9
`;
  const set = loadPolicies(FILE, "p.yaml");
  const reports = new Map([
    ["edge1", { cpu: { usage: 0.3, cores: 4 }, workloads: [{ id: "t-1", cpu: 0.2, memoryBytes: 200 * 1024 * 1024 }] }],
    ["cloud1", { cpu: { usage: 0.6, cores: 8 } }],
  ]);

  it("the evening branch decides for a critical service at 19:30 UTC (injected clock); actions follow", async () => {
    const at = new Date("2026-03-01T19:30:00Z");
    let congestionAsked = 0;
    const waits: boolean[] = [];
    const enforcer = policyEnforcer(set, {
      now: () => at,
      report: (n) => reports.get(n),
      congestion: async (_move, o) => {
        congestionAsked++;
        waits.push(o?.waitForRates !== false);
        return 0.7;
      },
    });
    const w = world({ policy: enforcer });
    const mgr = await w.start({ now: () => at });
    const done = (await mgr.settled((await mgr.request({ ...ORDER, task: { ...ORDER.task, serviceType: "critical" } })).id))!;
    expect(done.state).toBe("COMPLETED");
    expect(done.policy).toMatchObject({ decidedBy: "adaptive_load_balancing", priority: "high", gradualRedirect: true, constraints: { migration_duration: 300 } });
    expect(done.policy!.reason).toBe(
      'policy adaptive_load_balancing (priority 2) allows the move: (time_of_day >= 18 and time_of_day <= 22 and service_type == "critical") holds (source_cpu_utilization=30, destination_cpu_utilization=60, time_of_day=19.5, network_congestion_prob=0.7, service_type="critical")',
    );
    expect(done.log).toContain("INFO [PolicyEnforcer]: queued with high priority (policy adaptive_load_balancing), starts while fewer than 5 moves are in flight");
    expect(w.network.redirects[0]!.strategy).toBe("gradual");
    expect(congestionAsked).toBe(2); // the queue preview, then PLANNING
    expect(waits).toEqual([false, true]); // only PLANNING waits for port rates
  });

  it("labels and the workload's size from the source's report: a gold task of 200 MiB stays", async () => {
    const enforcer = policyEnforcer(set, { now: () => new Date("2026-03-01T03:00:00Z"), report: (n) => reports.get(n) });
    const w = world({ policy: enforcer });
    const mgr = await w.start();
    const done = (await mgr.settled((await mgr.request({ ...ORDER, task: { ...ORDER.task, labels: { tier: "gold" } } })).id))!;
    expect(done).toMatchObject({ state: "FAILED", policy: { decidedBy: "gold_stays", allow: false } });
    expect(done.error).toBe('policy gold_stays (priority 9) denies the move: "tier=gold" in labels and migration_size_mb > 100 holds (labels=["tier=gold"], migration_size_mb=200)');
  });

  it("no policy matching: the default allows (unknown congestion without a controller is no match)", async () => {
    const enforcer = policyEnforcer(set, { now: () => new Date("2026-03-01T03:00:00Z"), report: () => undefined });
    const w = world({ policy: enforcer });
    const mgr = await w.start();
    const done = (await mgr.settled((await mgr.request(ORDER)).id))!;
    expect(done).toMatchObject({ state: "COMPLETED", policy: { decidedBy: null, allow: true, reason: "no policy matched (2 tried): the default allows the move" } });
  });
});
