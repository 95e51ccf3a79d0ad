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

  it("counts moves per request placed after moves and the CPU moved", () => {
    const { summary } = runPlan("delay-aware", cluster, trace);
    // r5 was placed after moving r1, r3 (0.106 each) and r2 (0.223).
    expect(summary).toMatchObject({ admittedByMoves: 1, movesPerAdmission: 3 });
    expect(summary.movedCpu).toBeCloseTo(0.435, 9);
  });

  it("holds back requests younger than min-residence when lines carry `at`; lines without it have no age", () => {
    const at = (l: string, sec: number) => JSON.stringify({ ...JSON.parse(l), at: sec });
    const timed = (r4: string, r5At: number) =>
      parseRequestsJsonl([at(line("r1", 1000), 0), at(line("r2", 500), 0), line("r3", 1000), r4, at(line("r5", 250), r5At)].join("\n"), "t.jsonl");
    // At 5 s, r1 and r2 (placed at 0) are too young for 10 s; r3 and r4 have no age: r3 (0.1) then r4 (0.5) move.
    const young = runPlan("delay-aware", cluster, timed(line("r4", 200), 5), 1, 10).decisions.at(-1)!;
    expect(young).toMatchObject({ node: "edgeA", case: 3 });
    expect(young.migrations.map((m) => m.request)).toEqual(["r3", "r4"]);
    // With r4 young too, r3 alone cannot free 0.3: rule 2, saying what held the moves back.
    const held = runPlan("delay-aware", cluster, timed(at(line("r4", 200), 0), 5), 1, 10).decisions.at(-1)!;
    expect(held).toMatchObject({
      node: "cloud1",
      case: 2,
      migrations: [],
      reason: "no edge node has room, even after moving edge requests to the cloud (held back: 3 placed or moved less than 10 s ago)",
    });
    // At 10 s every line is old enough: the usual order, r1, r3, r2.
    const old = runPlan("delay-aware", cluster, timed(at(line("r4", 200), 0), 10), 1, 10).decisions.at(-1)!;
    expect(old.migrations.map((m) => m.request)).toEqual(["r1", "r3", "r2"]);
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
