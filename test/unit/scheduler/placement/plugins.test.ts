// Filter and score plugins alone, and the indexed finder against the plain
// scan on random node loads.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IndexedFinder, ScanFinder } from "../../../../scheduler/placement/capacity-index.js";
import type { NodeState } from "../../../../scheduler/placement/node-state.js";
import { capacityFilter } from "../../../../scheduler/placement/plugins/capacity.js";
import { scanBest } from "../../../../scheduler/placement/framework.js";
import { mostUsedFirst } from "../../../../scheduler/placement/plugins/most-used.js";
import { tierFilter } from "../../../../scheduler/placement/plugins/tier.js";
import { leastUsedFirst } from "../../../../scheduler/placement/plugins/least-used.js";
import { needMilli } from "../../../../scheduler/placement/share.js";

function node(name: string, tier: "edge" | "cloud", cpus: number, netDelayMs: number, usedMilli: number): NodeState {
  return { spec: { name, tier, cpus, netDelayMs }, name, tier, netDelayMs, capMilli: cpus * 1000, usedMilli, tasks: 0, pinnedMilli: 0 };
}

describe("plugins", () => {
  const a = node("a", "edge", 2, 5, 1000); // 50 %
  const b = node("b", "edge", 4, 5, 2000); // 50 %
  const c = node("c", "cloud", 4, 40, 3900);

  it("filters by tier and by room for the share needed at each node's delay", () => {
    // Needs 0.5 core at 5 ms, 1 core (too much for c's 0.1 free) at 40 ms.
    const need = (d: number) => (d === 5 ? 500 : 1000);
    expect([a, b, c].filter((n) => tierFilter("edge").filter(n, need))).toEqual([a, b]);
    expect([a, b, c].filter((n) => capacityFilter.filter(n, need))).toEqual([a, b]);
    expect(capacityFilter.filter(a, () => -1)).toBe(false);
    expect(capacityFilter.filter(a, () => 1000)).toBe(true);
    expect(capacityFilter.filter(a, () => 1001)).toBe(false);
  });

  it("scores by usage with name as the tie-break", () => {
    const any = () => 0;
    expect(scanBest([b, a], [], mostUsedFirst, any)).toBe(a); // both 50 %: name
    expect(scanBest([a, b, c], [], mostUsedFirst, any)).toBe(c);
    expect(scanBest([c, b, a], [], leastUsedFirst, any)).toBe(a);
    expect(scanBest([a, b], [tierFilter("cloud")], mostUsedFirst, any)).toBeUndefined();
  });

  it("millicore needs round up and mark infeasible budgets", () => {
    const m = { kind: "power" as const, a: 100, b: -1 };
    expect(needMilli(m, 950, 0)).toBe(106); // 0.10526...
    expect(needMilli(m, 1000, 0)).toBe(100);
    expect(needMilli(m, 150, 50)).toBe(1000);
    expect(needMilli(m, 149, 50)).toBe(-1);
  });
});

describe("IndexedFinder", () => {
  it("answers like the scan for random loads and needs", () => {
    const spec = fc.record({
      tier: fc.constantFrom("edge" as const, "cloud" as const),
      cpus: fc.constantFrom(1, 2, 4),
      netDelayMs: fc.constantFrom(0, 5, 30),
      used: fc.nat({ max: 4000 }),
    });
    fc.assert(
      fc.property(fc.array(spec, { minLength: 1, maxLength: 40 }), fc.array(fc.integer({ min: -1, max: 1500 }), { minLength: 3, maxLength: 3 }), (specs, needs) => {
        const nodes = specs.map((s, i) => node(`n${(i * 7) % 41}-${i}`, s.tier, s.cpus, s.netDelayMs, Math.min(s.used, s.cpus * 1000)));
        const indexed = new IndexedFinder();
        const scanned = new ScanFinder();
        for (const n of nodes) {
          indexed.add(n);
          scanned.add(n);
        }
        const need = (d: number) => needs[[0, 5, 30].indexOf(d)]!;
        for (const tier of ["edge", "cloud"] as const) {
          expect(indexed.mostUsedFit(tier, need)).toBe(scanned.mostUsedFit(tier, need));
          expect(indexed.leastUsedFit(tier, need)).toBe(scanned.leastUsedFit(tier, need));
        }
      }),
      { numRuns: 300 },
    );
  });
});
