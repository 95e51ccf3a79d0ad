import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SwitchGraph } from "../../../../controller/topology/graph.js";

const d = (n: number) => n.toString(16).padStart(16, "0");

/** A ring of n switches: switch i port 1 -> switch i+1 port 2. */
function ring(n: number): SwitchGraph {
  const g = new SwitchGraph();
  for (let i = 1; i <= n; i++) g.add({ src: { dpid: d(i), port: 1 }, dst: { dpid: d((i % n) + 1), port: 2 } });
  return g;
}

describe("SwitchGraph", () => {
  it("treats a→b and b→a as one link", () => {
    const g = new SwitchGraph();
    expect(g.add({ src: { dpid: d(1), port: 1 }, dst: { dpid: d(2), port: 3 } })).toBe(true);
    expect(g.add({ src: { dpid: d(2), port: 3 }, dst: { dpid: d(1), port: 1 } })).toBe(false);
    expect(g.all()).toHaveLength(1);
    expect(g.isSwitchPort(d(2), 3)).toBe(true);
    expect(g.isSwitchPort(d(2), 4)).toBe(false);
  });

  it("finds the shortest path with the ports to leave by, ending at the host port", () => {
    const g = ring(6);
    const p = g.path(d(1), d(3), 9, 5);
    expect(p).toEqual([
      { dpid: d(1), inPort: 5, outPort: 1 },
      { dpid: d(2), inPort: 2, outPort: 1 },
      { dpid: d(3), inPort: 2, outPort: 9 },
    ]);
    // The other way round the ring is shorter for 1 -> 5.
    expect(g.path(d(1), d(5), 9)?.map((h) => h.dpid)).toEqual([d(1), d(6), d(5)]);
  });

  it("reroutes when a link is removed and reports unreachable switches", () => {
    const g = ring(4);
    g.remove({ src: { dpid: d(2), port: 2 }, dst: { dpid: d(1), port: 1 } });
    expect(g.path(d(1), d(2), 7)?.map((h) => h.dpid)).toEqual([d(1), d(4), d(3), d(2)]);
    g.remove({ src: { dpid: d(3), port: 1 }, dst: { dpid: d(4), port: 2 } });
    expect(g.path(d(1), d(2), 7)).toBeNull();
  });

  it("spanning tree ports never form a loop and reach every switch", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), fc.array(fc.tuple(fc.nat(11), fc.nat(11)), { maxLength: 10 }), (n, extra) => {
        const g = ring(n);
        extra.forEach(([a, b], i) => {
          if (a % n !== b % n) g.add({ src: { dpid: d((a % n) + 1), port: 10 + i }, dst: { dpid: d((b % n) + 1), port: 30 + i } });
        });
        const switches = Array.from({ length: n }, (_, i) => d(i + 1));
        const tree = g.spanningTreePorts(switches);
        const treeEnds = [...tree.values()].reduce((s, p) => s + p.size, 0);
        // A tree on n nodes has n-1 edges, each with two ends.
        expect(treeEnds).toBe(2 * (n - 1));
      }),
    );
  });

  it("next hops toward a destination cover every connected switch", () => {
    const g = ring(5);
    const hops = g.nextHopsToward(d(3), 4);
    expect(hops.size).toBe(5);
    expect(hops.get(d(3))).toBe(4);
    expect(hops.get(d(2))).toBe(1);
    expect(hops.get(d(4))).toBe(2);
  });
});
