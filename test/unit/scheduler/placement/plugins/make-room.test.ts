import { describe, expect, it } from "vitest";
import { ScanFinder } from "../../../../../scheduler/placement/capacity-index.js";
import { ClusterState } from "../../../../../scheduler/placement/cluster-state.js";
import { NO_LIMITS } from "../../../../../scheduler/placement/framework.js";
import { makeRoomOnEdge } from "../../../../../scheduler/placement/plugins/make-room.js";
import { needMilli, perDelay } from "../../../../../scheduler/placement/share.js";
import type { TaskRequest } from "../../../../../scheduler/placement/types.js";

const model = { kind: "power" as const, a: 100, b: -1 }; // 100 ms on one core
const request = (id: string, delayBudgetMs: number): TaskRequest => ({ id, device: "d", workload: "w", inputClass: "c", delayBudgetMs });

/** One 1-core edge node holding a loose (0.2 core) and a tight (0.5 core) request, and a cloud node. */
function cluster(cloudCpus: number): ClusterState {
  const state = new ClusterState(new ScanFinder());
  const edge = state.addNode({ name: "edge1", tier: "edge", cpus: 1, netDelayMs: 0 });
  state.addNode({ name: "cloud1", tier: "cloud", cpus: cloudCpus, netDelayMs: 50 });
  state.assign(request("loose", 1000), model, edge, 200);
  state.assign(request("tight", 200), model, edge, 500);
  return state;
}

const needFor = (r: TaskRequest) => perDelay((d) => needMilli(model, r.delayBudgetMs, d));

describe("makeRoomOnEdge", () => {
  it("moves edge requests to the cloud, loosest budget first, until the new request fits the edge", () => {
    const state = cluster(4);
    const need = needFor(request("new", 250)); // 0.4 core on the edge; 0.3 free
    expect(makeRoomOnEdge().postFilter(state, need, NO_LIMITS, [])).toEqual([{ request: "loose", from: "edge1", to: "cloud1", cpuShare: 0.106 }]);
    expect(state.tasks.get("loose")!.node.name).toBe("cloud1");
    expect(state.nodes.get("edge1")!.usedMilli).toBe(500);
    expect(state.finder.mostUsedFit("edge", need)?.name).toBe("edge1");
  });

  it("returns null, leaves the planner's note and changes nothing when no moves can make room", () => {
    const state = cluster(0.05); // the cloud can take neither request
    const before = JSON.stringify(state.usage());
    const notes: string[] = [];
    expect(makeRoomOnEdge().postFilter(state, needFor(request("new", 250)), NO_LIMITS, notes)).toBeNull();
    expect(notes).toEqual([""]);
    expect(JSON.stringify(state.usage())).toBe(before);
  });

  it("names the requests the limits held back in its note", () => {
    const state = cluster(4);
    const notes: string[] = [];
    const limits = { minResidenceSec: 10, atSec: 105, migrating: new Set(["tight"]) };
    state.tasks.get("loose")!.sinceSec = 100; // 5 s ago
    expect(makeRoomOnEdge().postFilter(state, needFor(request("new", 250)), limits, notes)).toBeNull();
    expect(notes).toEqual([" (held back: 1 placed or moved less than 10 s ago, 1 migrating)"]);
  });

  it("runs the planner it is given", () => {
    const state = cluster(4);
    const calls: unknown[] = [];
    const limits = { minResidenceSec: 3 };
    const plugin = makeRoomOnEdge((s, need, l) => {
      calls.push([s, need(0), l]);
      return " (a note)";
    });
    const notes: string[] = [];
    expect(plugin.postFilter(state, () => 7, limits, notes)).toBeNull();
    expect(calls).toEqual([[state, 7, limits]]);
    expect(notes).toEqual([" (a note)"]);
  });
});
