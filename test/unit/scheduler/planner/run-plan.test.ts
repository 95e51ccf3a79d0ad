// The plan runner: decisions come from the same policies, and the compare
// figures (misses, edge usage, migrations, refusals) follow from them.
import { describe, expect, it } from "vitest";
import { POLICY_NAMES } from "../../../../scheduler/placement/policies.js";
import { parseRequestsJsonl } from "../../../../scheduler/planner/requests-file.js";
import { runPlan } from "../../../../scheduler/planner/run-plan.js";

const cluster = {
  nodes: [
    { name: "edgeA", tier: "edge" as const, cpus: 1, netDelayMs: 0 },
    { name: "cloud1", tier: "cloud" as const, cpus: 4, netDelayMs: 50 },
  ],
  models: { "m/x": { kind: "power" as const, a: 100, b: -1 } },
};
const line = (id: string, budget: number) => JSON.stringify({ id, device: "d", workload: "m", inputClass: "x", delayBudgetMs: budget });
const trace = parseRequestsJsonl(
  [line("r1", 1000), line("r2", 500), line("r3", 1000), line("r4", 200), line("r5", 250), '{"release":"r4"}', line("r6", 60)].join("\n"),
  "t.jsonl",
);

describe("runPlan", () => {
  it("delay-aware: rule 3 moves, a refusal, no misses, edge usage averaged per decision", () => {
    const { decisions, summary } = runPlan("delay-aware", cluster, trace);
    expect(decisions.map((d) => [d.request, d.node, d.case ?? null, d.migrations.length])).toEqual([
      ["r1", "edgeA", 1, 0],
      ["r2", "edgeA", 1, 0],
      ["r3", "edgeA", 1, 0],
      ["r4", "edgeA", 1, 0],
      ["r5", "edgeA", 3, 3],
      ["r6", null, null, 0],
    ]);
    expect(summary).toMatchObject({ policy: "delay-aware", requests: 6, placed: 5, refused: 1, deadlineMisses: 0, missRate: 0, migrations: 3 });
    // Edge usage after each decision: .1 .3 .4 .9 .9 (r1,r2,r3 moved; r4+r5) and .4 after r4's release.
    expect(summary.meanEdgeUsage).toBeCloseTo((0.1 + 0.3 + 0.4 + 0.9 + 0.9 + 0.4) / 6, 9);
  });

  it("least-loaded: the infeasible request is placed best effort and counted as a miss", () => {
    const { decisions, summary } = runPlan("least-loaded", cluster, trace);
    const r6 = decisions.find((d) => d.request === "r6")!;
    expect(r6).toMatchObject({ cpuShare: 1, predictedDelayMs: 100 });
    expect(summary.deadlineMisses).toBe(1);
    expect(summary.missRate).toBeCloseTo(1 / 6, 9);
    expect(summary.migrations).toBe(0);
  });

  it("runs every policy on the same trace", () => {
    for (const p of POLICY_NAMES) {
      const { summary } = runPlan(p, cluster, trace);
      expect(summary.requests).toBe(6);
      expect(summary.placed + summary.refused).toBe(6);
      expect(summary.decisionsPerSec).toBeGreaterThan(0);
    }
  });
});
