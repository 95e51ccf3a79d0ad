// The move index: move order across priorities and budgets, and the pinned
// load that tells the planner when no sequence of moves can help.
import { describe, expect, it } from "vitest";
import { ScanFinder } from "../../../../scheduler/placement/capacity-index.js";
import { ClusterState } from "../../../../scheduler/placement/cluster-state.js";
import type { TaskRequest } from "../../../../scheduler/placement/types.js";

const model = { kind: "power" as const, a: 100, b: -1 };
const req = (id: string, delayBudgetMs: number, priority?: number): TaskRequest => ({
  id,
  device: "d",
  workload: "m",
  inputClass: "x",
  delayBudgetMs,
  ...(priority === undefined ? {} : { priority }),
});

function cluster(withCloud: boolean) {
  const state = new ClusterState(new ScanFinder());
  const edge = state.addNode({ name: "edgeA", tier: "edge", cpus: 2, netDelayMs: 0 });
  if (withCloud) state.addNode({ name: "cloud1", tier: "cloud", cpus: 4, netDelayMs: 50 });
  return { state, edge };
}

describe("MoveIndex", () => {
  it("orders edge requests by priority (none last), longest budget, then placement order", () => {
    const { state, edge } = cluster(true);
    for (const [id, budget, prio] of [
      ["a", 300, undefined],
      ["b", 900, undefined],
      ["c", 300, 2],
      ["d", 800, 5],
      ["e", 900, 2],
      ["f", 300, undefined],
      ["g", 100, -1],
    ] as const) {
      state.assign(req(id, budget, prio), model, edge, 10);
    }
    expect(state.moves.inMoveOrder().map((t) => t.request.id)).toEqual(["g", "e", "c", "d", "b", "a", "f"]);
    state.release("e");
    expect(state.moves.inMoveOrder().map((t) => t.request.id)).toEqual(["g", "c", "d", "b", "a", "f"]);
  });

  it("pins requests no cloud node could take, and unpins them when one joins", () => {
    const { state, edge } = cluster(false);
    state.assign(req("tight", 1000), model, edge, 1500);
    const need = () => 800;
    // No cloud at all: the 1.5 cores cannot move, 0.5 free < 0.8.
    expect(edge.pinnedMilli).toBe(1500);
    expect(state.moves.edgeCouldFitAfterMoves(need)).toBe(false);
    state.addNode({ name: "cloud1", tier: "cloud", cpus: 4, netDelayMs: 50 });
    expect(edge.pinnedMilli).toBe(0);
    expect(state.moves.edgeCouldFitAfterMoves(need)).toBe(true);
    // A budget the cloud's 50 ms cannot meet (120 - 50 = 70 ms < 100 ms at one core) stays pinned.
    state.assign(req("edgeOnly", 120), model, edge, 300);
    expect(edge.pinnedMilli).toBe(300);
    expect(state.removeNode("cloud1")).toBe(true);
    expect(edge.pinnedMilli).toBe(1800);
    state.release("tight");
    expect(edge.pinnedMilli).toBe(300);
  });
});
