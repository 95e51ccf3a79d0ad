// The move planner (streams, heap, trial reservations, pruning) must make the
// same moves as rule 3 read literally: every edge request in move order, each
// moved if a cloud node fits it, until the new request fits any edge node.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IndexedFinder } from "../../../../scheduler/placement/capacity-index.js";
import type { ClusterState } from "../../../../scheduler/placement/cluster-state.js";
import { DelayAwarePolicy } from "../../../../scheduler/placement/delay-aware.js";
import { type NeedAt, needMilli, toCores } from "../../../../scheduler/placement/share.js";
import type { Migration } from "../../../../scheduler/placement/types.js";
import { SYNTHETIC_MODELS, syntheticNodes, syntheticTrace } from "../../../../scheduler/planner/trace-generator.js";

/** Rule 3 the slow, obvious way: real moves, a full edge query after each, undo on failure. */
function literalPlanMoves(state: ClusterState, need: NeedAt): Migration[] | null {
  const done: Array<{ m: Migration; from: ReturnType<ClusterState["nodes"]["get"]>; share: number }> = [];
  for (const task of state.moves.inMoveOrder()) {
    const from = task.node;
    const m = need(from.netDelayMs);
    if (m < 0 || m > from.capMilli) continue; // this node could never take it
    const taskNeed: NeedAt = (d) => needMilli(task.model, task.request.delayBudgetMs, d);
    const to = state.finder.mostUsedFit("cloud", taskNeed);
    if (!to) continue;
    const share = task.shareMilli;
    state.move(task, to, taskNeed(to.netDelayMs));
    done.push({ m: { request: task.request.id, from: from.name, to: to.name, cpuShare: toCores(task.shareMilli) }, from, share });
    if (state.finder.mostUsedFit("edge", need)) return done.map((d) => d.m);
  }
  for (const d of done.reverse()) state.move(state.tasks.get(d.m.request)!, d.from!, d.share);
  return null;
}

const cluster = () => ({
  nodes: syntheticNodes({ edge: 12, cloud: 3, edgeCpus: [0.5, 1, 2], cloudCpus: [2, 4], cloudDelaysMs: [30, 60] }),
  models: SYNTHETIC_MODELS,
});

describe("move planner", () => {
  it("makes exactly the literal rule's moves on random overloaded traces", () => {
    const seen = { moves: 0, case2: 0, refused: 0 };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 30, max: 200 }), (seed, concurrent) => {
        const fast = new DelayAwarePolicy(cluster(), new IndexedFinder());
        const literal = new DelayAwarePolicy(cluster(), new IndexedFinder(), literalPlanMoves);
        for (const ev of syntheticTrace({ requests: 500, meanConcurrent: concurrent, seed, prioritized: 0.3 })) {
          if (ev.kind === "release") {
            fast.release(ev.id);
            literal.release(ev.id);
            continue;
          }
          const d = fast.place(ev.request);
          expect(d).toEqual(literal.place(ev.request));
          seen.moves += d.migrations.length;
          if (d.case === 2) seen.case2++;
          if (d.node === null) seen.refused++;
        }
        expect(fast.placements()).toEqual(literal.placements());
      }),
      { numRuns: 25 },
    );
    // The traces did reach rules 2 and 3 and refusals.
    expect(seen.moves).toBeGreaterThan(0);
    expect(seen.case2).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });
});
