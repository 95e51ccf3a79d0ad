// The decision loop: filter, score and pick; post-filters and a retry; the
// fallback pass; the capacity index for the passes it knows; plugin hooks.
import { describe, expect, it } from "vitest";
import { type NodeFinder, ScanFinder } from "../../../../scheduler/placement/capacity-index.js";
import { ClusterState } from "../../../../scheduler/placement/cluster-state.js";
import { type FilterPlugin, Framework, type Profile, type ScorePlugin, scanBest } from "../../../../scheduler/placement/framework.js";
import type { NodeState } from "../../../../scheduler/placement/node-state.js";
import { budgetShare } from "../../../../scheduler/placement/plugins/budget-share.js";
import { capacityFilter } from "../../../../scheduler/placement/plugins/capacity.js";
import { leastUsedFirst } from "../../../../scheduler/placement/plugins/least-used.js";
import { mostUsedFirst } from "../../../../scheduler/placement/plugins/most-used.js";
import { nameFirst } from "../../../../scheduler/placement/plugins/name-order.js";
import { tierFilter } from "../../../../scheduler/placement/plugins/tier.js";
import type { NodeSpec, Tier } from "../../../../scheduler/placement/types.js";
import { node } from "./node-fixture.js";

const NODES: NodeSpec[] = [
  { name: "edge1", tier: "edge", cpus: 1, netDelayMs: 5 },
  { name: "edge2", tier: "edge", cpus: 2, netDelayMs: 5 },
  { name: "cloud1", tier: "cloud", cpus: 8, netDelayMs: 40 },
];

/** A scan finder that records the index queries it answers. */
class RecordingFinder extends ScanFinder implements NodeFinder {
  readonly queries: string[] = [];
  override mostUsedFit(tier: Tier | undefined, need: (d: number) => number) {
    this.queries.push(`most-used ${tier ?? "any"}`);
    return super.mostUsedFit(tier, need);
  }
  override leastUsedFit(tier: Tier | undefined, need: (d: number) => number) {
    this.queries.push(`least-used ${tier ?? "any"}`);
    return super.leastUsedFit(tier, need);
  }
}

function cluster(loads: Record<string, number> = {}): { state: ClusterState; finder: RecordingFinder } {
  const finder = new RecordingFinder();
  const state = new ClusterState(finder);
  for (const spec of NODES) state.addNode(spec).usedMilli = loads[spec.name] ?? 0;
  return { state, finder };
}

const profile = (p: Partial<Profile>): Profile => ({ name: "test", share: budgetShare, filters: [], score: nameFirst, ...p });
const need500 = () => 500;

/** Notes `entry` in `log` and returns `result`. */
function record<T, R>(log: T[], entry: T, result: R): R {
  log.push(entry);
  return result;
}

describe("Framework.schedule", () => {
  it("picks the best node passing every filter, labelled with the pass's case", () => {
    const { state } = cluster({ edge1: 200, edge2: 1000 });
    const f = new Framework(profile({ filters: [tierFilter("edge"), capacityFilter], score: mostUsedFirst, case: 1 }));
    // edge1 is 20 % used, edge2 50 %: most used first.
    expect(f.schedule(state, need500)).toEqual({ node: state.nodes.get("edge2"), case: 1, migrations: [] });
  });

  it("asks the capacity index for passes made of what it indexes, and scans for any other", () => {
    const { state, finder } = cluster();
    new Framework(profile({ filters: [tierFilter("edge"), capacityFilter], score: mostUsedFirst })).schedule(state, need500);
    new Framework(profile({ filters: [capacityFilter], score: leastUsedFirst })).schedule(state, need500);
    expect(finder.queries).toEqual(["most-used edge", "least-used any"]);
    const unknownFilter: FilterPlugin = { name: "no-edge2", filter: (n) => n.name !== "edge2" };
    const scanned = [
      profile({ filters: [tierFilter("edge"), capacityFilter], score: nameFirst }), // no load order
      profile({ filters: [tierFilter("edge")], score: mostUsedFirst }), // no capacity check
      profile({ filters: [unknownFilter, capacityFilter], score: mostUsedFirst }),
      profile({ filters: [tierFilter("edge"), tierFilter("cloud"), capacityFilter], score: mostUsedFirst }),
    ];
    expect(scanned.map((p) => new Framework(p).schedule(state, need500)?.node.name)).toEqual(["edge1", "edge1", "cloud1", undefined]);
    expect(finder.queries).toHaveLength(2);
  });

  it("on no fit runs the post-filters in order until one makes room, then places by the same pass", () => {
    const { state } = cluster({ edge1: 1000, edge2: 2000 });
    const ran: string[] = [];
    const f = new Framework(
      profile({
        filters: [tierFilter("edge"), capacityFilter],
        score: mostUsedFirst,
        case: 1,
        postFilters: [
          { name: "cannot", postFilter: () => record(ran, "cannot", null) },
          {
            name: "frees-edge2",
            postFilter: (s) => {
              ran.push("frees-edge2");
              s.nodes.get("edge2")!.usedMilli -= 600; // the scan finder keeps no index to update
              return [{ request: "old", from: "edge2", to: "cloud1", cpuShare: 0.6 }];
            },
          },
          { name: "never", postFilter: () => record(ran, "never", null) },
        ],
        postFilterCase: 3,
      }),
    );
    expect(f.schedule(state, need500)).toEqual({
      node: state.nodes.get("edge2"),
      case: 3,
      migrations: [{ request: "old", from: "edge2", to: "cloud1", cpuShare: 0.6 }],
    });
    expect(ran).toEqual(["cannot", "frees-edge2"]);
  });

  it("runs the fallback pass when the pass and its post-filters find nothing, and returns undefined when it finds nothing either", () => {
    const { state } = cluster({ edge1: 1000, edge2: 2000 });
    const edgeThenCloud = profile({
      filters: [tierFilter("edge"), capacityFilter],
      score: mostUsedFirst,
      case: 1,
      postFilters: [{ name: "cannot", postFilter: () => null }],
      fallback: { filters: [tierFilter("cloud"), capacityFilter], score: mostUsedFirst, case: 2 },
    });
    expect(new Framework(edgeThenCloud).schedule(state, need500)).toEqual({ node: state.nodes.get("cloud1"), case: 2, migrations: [] });
    expect(new Framework(edgeThenCloud).schedule(state, () => 8001)).toBeUndefined();
  });

  it("refuses a post-filter that reports room the pass then cannot find", () => {
    const { state } = cluster({ edge1: 1000, edge2: 2000 });
    const liar = profile({ filters: [tierFilter("edge"), capacityFilter], postFilters: [{ name: "liar", postFilter: () => [] }] });
    expect(() => new Framework(liar).schedule(state, need500)).toThrow("post-filter 'liar' reported room");
  });

  it("calls the Reserve and node-change hooks of every plugin of the profile once", () => {
    const calls: string[] = [];
    const hooked: ScorePlugin = {
      name: "hooked",
      compare: () => 0,
      reserve: (n) => calls.push(`reserve ${n.name}`),
      nodesChanged: (nodes) => calls.push(`nodes ${nodes.size}`),
    };
    const f = new Framework(profile({ score: hooked, fallback: { filters: [], score: hooked } }));
    const { state } = cluster();
    f.nodesChanged(state.nodes);
    f.reserve(state.nodes.get("edge1")!);
    expect(calls).toEqual(["nodes 3", "reserve edge1"]);
  });
});

describe("scanBest", () => {
  const nodes = [node("a", "edge", 2, 5, 0), node("b", "edge", 2, 5, 1000), node("c", "edge", 2, 5, 1000), node("d", "edge", 2, 5, 2000)];

  it("gives a score's own pick every node tied for best, in the order seen", () => {
    const seen: string[][] = [];
    const tiedAt50: ScorePlugin = {
      name: "half-full-first",
      compare: (x, y) => Math.abs(x.usedMilli - 1000) - Math.abs(y.usedMilli - 1000),
      pickAmong: (equal) => record(seen, equal.map((n) => n.name), equal.at(-1)!),
    };
    expect(scanBest(nodes, [], tiedAt50, need500)?.name).toBe("c");
    expect(seen).toEqual([["b", "c"]]);
    expect(scanBest(nodes, [capacityFilter], tiedAt50, () => 1500)?.name).toBe("a"); // only a has room
    expect(scanBest(nodes, [capacityFilter], tiedAt50, () => 2001)).toBeUndefined();
    expect(seen).toHaveLength(2); // not asked when nothing passes
  });

  it("without a pick, takes the first best seen", () => {
    const allEqual: ScorePlugin = { name: "equal", compare: () => 0 };
    const passing: NodeState[] = nodes.slice(1);
    expect(scanBest(passing, [], allEqual, need500)?.name).toBe("b");
  });
});
