// The move planner on flat per-kind tables must decide exactly as the scan
// planner before it (bench/scan-move-planner.ts, which the scheduler bench runs
// beside it), on traces where the cloud runs full, so that many moves have no
// target and tries go move by move. The literal rule's own property tests are
// in move-planner.test.ts.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IndexedFinder } from "../../../../scheduler/placement/capacity-index.js";
import { DelayAwarePolicy } from "../../../../scheduler/placement/delay-aware.js";
import { SYNTHETIC_MODELS, syntheticNodes, syntheticTrace } from "../../../../scheduler/planner/trace-generator.js";
import { scanPlanMoves } from "../../../../bench/scan-move-planner.js";
import { downtimeTable } from "../../../../scheduler/placement/downtime.js";
import { SYNTHETIC_DOWNTIME } from "../../../../scheduler/planner/trace-generator.js";

const cluster = (minResidenceSec: number) => ({
  nodes: syntheticNodes({ edge: 30, cloud: 4, edgeCpus: [1, 2, 4], cloudCpus: [2, 4], cloudDelaysMs: [30, 60] }),
  models: SYNTHETIC_MODELS,
  minResidenceSec,
});

describe("move planner vs the previous one", () => {
  it("makes the same decisions on random traces that fill the edge and the cloud", () => {
    const seen = { case3: 0, multiMove: 0, refused: 0, heldBack: 0 };
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 100, max: 400 }),
        fc.integer({ min: 0, max: 30 }),
        fc.boolean(),
        (seed, concurrent, minResidenceSec, timed) => {
          const fast = new DelayAwarePolicy(cluster(minResidenceSec), new IndexedFinder());
          const previous = new DelayAwarePolicy(cluster(minResidenceSec), new IndexedFinder(), scanPlanMoves);
          let migrating = new Set<string>();
          let atSec = 0;
          for (const ev of syntheticTrace({ requests: 800, meanConcurrent: concurrent, seed, prioritized: 0.2 })) {
            atSec++;
            if (ev.kind === "release") {
              expect(fast.release(ev.id)).toBe(previous.release(ev.id));
              continue;
            }
            const context = timed ? { atSec, migrating } : {};
            const d = fast.place(ev.request, context);
            expect(d).toEqual(previous.place(ev.request, context));
            migrating = new Set(d.migrations.slice(0, 1).map((m) => m.request));
            if (d.case === 3) seen.case3++;
            if (d.migrations.length > 1) seen.multiMove++;
            if (d.node === null) seen.refused++;
            if (d.reason?.includes("held back")) seen.heldBack++;
          }
          expect(fast.placements()).toEqual(previous.placements());
        },
      ),
      { numRuns: 25 },
    );
    for (const [what, n] of Object.entries(seen)) expect(n, what).toBeGreaterThan(0);
  });

  it("decides exactly as the scan planner the bench runs beside it (bench/scan-move-planner.ts), on bench-shaped traces", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.boolean(), fc.integer({ min: 0, max: 20 }), (seed, downtime, minResidenceSec) => {
        // The bench's node kinds, a tenth of its size; a trace that fills the edge and the cloud.
        const opts = {
          nodes: syntheticNodes({ edge: 90, cloud: 10 }),
          models: SYNTHETIC_MODELS,
          minResidenceSec,
          ...(downtime ? { downtime: downtimeTable(SYNTHETIC_DOWNTIME) } : {}),
        };
        const fast = new DelayAwarePolicy(opts, new IndexedFinder());
        const scan = new DelayAwarePolicy(opts, new IndexedFinder(), scanPlanMoves);
        let atSec = 0;
        let case3 = 0;
        for (const ev of syntheticTrace({ requests: 3000, meanConcurrent: 2200, seed, rates: true })) {
          atSec += 0.25;
          if (ev.kind === "release") {
            fast.release(ev.id);
            scan.release(ev.id);
            continue;
          }
          const d = fast.place(ev.request, { atSec });
          expect(d).toEqual(scan.place(ev.request, { atSec }));
          if (d.case === 3) case3++;
        }
        expect(case3).toBeGreaterThan(0);
      }),
      { numRuns: 6 },
    );
  });
});
