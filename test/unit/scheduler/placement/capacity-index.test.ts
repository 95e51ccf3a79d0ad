// The indexed node finder must decide exactly like the plain filter-and-score
// scan, on random traces with releases, moves, refusals and live node changes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PolicyOptions } from "../../../../scheduler/placement/base-policy.js";
import { LeastLoadedPolicy } from "../../../../scheduler/placement/baselines.js";
import { IndexedFinder, ScanFinder } from "../../../../scheduler/placement/capacity-index.js";
import { DelayAwarePolicy } from "../../../../scheduler/placement/delay-aware.js";
import type { PlacementPolicy } from "../../../../scheduler/placement/types.js";
import { SYNTHETIC_MODELS, syntheticNodes, syntheticTrace } from "../../../../scheduler/planner/trace-generator.js";

function replay(a: PlacementPolicy, b: PlacementPolicy, seed: number, requests: number, concurrent: number): number {
  let compared = 0;
  for (const ev of syntheticTrace({ requests, meanConcurrent: concurrent, seed })) {
    if (ev.kind === "release") {
      expect(a.release(ev.id)).toBe(b.release(ev.id));
      continue;
    }
    expect(a.place(ev.request)).toEqual(b.place(ev.request));
    compared++;
  }
  expect(a.nodes()).toEqual(b.nodes());
  expect(a.placements()).toEqual(b.placements());
  return compared;
}

const cluster = (cloudDelaysMs = [30, 45, 60]): PolicyOptions => ({
  // Several delays and sizes per tier, so groups differ and ties happen.
  nodes: syntheticNodes({ edge: 24, cloud: 6, edgeCpus: [1, 2, 2.5], cloudCpus: [4, 8], cloudDelaysMs }),
  models: SYNTHETIC_MODELS,
});

describe("indexed placement equals the plain scan", () => {
  it("delay-aware: same decisions on random overloaded traces (all three rules)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 20, max: 400 }), (seed, concurrent) => {
        const indexed = new DelayAwarePolicy(cluster(), new IndexedFinder());
        const scanned = new DelayAwarePolicy(cluster(), new ScanFinder());
        expect(replay(indexed, scanned, seed, 600, concurrent)).toBe(600);
      }),
      { numRuns: 15 },
    );
  });

  it("delay-aware: the trace exercises moves, cloud placements and refusals", () => {
    // Rule 3 frees a node with few moves, so rule 2 needs edge requests the cloud cannot take:
    // a far cloud (100-150 ms) and mostly tight budgets pin them to the edge.
    const p = new DelayAwarePolicy(cluster([100, 150]), new IndexedFinder());
    const cases = new Map<string, number>();
    for (const ev of syntheticTrace({ requests: 2000, meanConcurrent: 250, seed: 3, budgetsMs: [150, 200, 250, 2000] })) {
      if (ev.kind === "release") p.release(ev.id);
      else {
        const d = p.place(ev.request);
        const k = d.node === null ? "refused" : `case${d.case}`;
        cases.set(k, (cases.get(k) ?? 0) + 1);
      }
    }
    for (const k of ["case1", "case2", "case3", "refused"]) expect(cases.get(k) ?? 0).toBeGreaterThan(0);
  });

  it("least-loaded: same decisions on random traces", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 20, max: 400 }), (seed, concurrent) => {
        const indexed = new LeastLoadedPolicy(cluster(), new IndexedFinder());
        const scanned = new LeastLoadedPolicy(cluster(), new ScanFinder());
        replay(indexed, scanned, seed, 600, concurrent);
      }),
      { numRuns: 10 },
    );
  });

  it("stays equal when nodes join and idle nodes leave mid-trace", () => {
    const indexed = new DelayAwarePolicy(cluster(), new IndexedFinder());
    const scanned = new DelayAwarePolicy(cluster(), new ScanFinder());
    const trace = syntheticTrace({ requests: 800, meanConcurrent: 150, seed: 11 });
    trace.forEach((ev, i) => {
      if (i % 97 === 0) {
        const spec = { name: `late${i}`, tier: i % 2 ? ("edge" as const) : ("cloud" as const), cpus: 2, netDelayMs: 7 };
        indexed.addNode(spec);
        scanned.addNode(spec);
      }
      if (i % 131 === 0) {
        for (const n of indexed.nodes().filter((x) => x.placements === 0).slice(0, 2)) {
          expect(indexed.removeNode(n.name)).toBe(scanned.removeNode(n.name));
        }
      }
      if (ev.kind === "release") expect(indexed.release(ev.id)).toBe(scanned.release(ev.id));
      else expect(indexed.place(ev.request)).toEqual(scanned.place(ev.request));
    });
    expect(indexed.placements()).toEqual(scanned.placements());
  });
});
