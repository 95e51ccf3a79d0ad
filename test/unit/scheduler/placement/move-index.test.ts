// The move index: move order across priorities and budgets, and the pinned
// load that tells the planner when no sequence of moves can help.
import { describe, expect, it } from "vitest";
import { ScanFinder } from "../../../../scheduler/placement/capacity-index.js";
import { ClusterState } from "../../../../scheduler/placement/cluster-state.js";
import type { TaskRequest } from "../../../../scheduler/placement/types.js";
import { LEADS, TOP_SHARES } from "../../../../scheduler/placement/node-state.js";

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

  it("keeps each edge node's lead requests, largest shares and per-class sums equal to its movable requests", () => {
    const state = new ClusterState(new ScanFinder());
    const edges = [0, 1, 2].map((i) => state.addNode({ name: `edge${i}`, tier: "edge", cpus: 4, netDelayMs: 2 }));
    state.addNode({ name: "cloud1", tier: "cloud", cpus: 8, netDelayMs: 50 });
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const placed: string[] = [];
    for (let i = 0; i < 400; i++) {
      if (placed.length > 0 && rand(3) === 0) state.release(placed.splice(rand(placed.length), 1)[0]!);
      else {
        const id = `r${i}`;
        state.assign({ ...req(id, [120, 300, 900][rand(3)]!, rand(4) === 0 ? rand(3) : undefined), inputClass: `x${rand(2)}` }, model, edges[rand(3)]!, 1 + rand(400), rand(50));
        placed.push(id);
      }
      for (const n of edges) {
        const movable = n.movableTasks!;
        expect(n.leadShares).toEqual(movable.slice(0, LEADS).map((t) => t.shareMilli));
        expect(n.leadClasses).toEqual(movable.slice(0, LEADS).map((t) => t.moveClass));
        const since = movable.slice(0, LEADS).flatMap((t) => (t.sinceSec === undefined ? [] : [t.sinceSec]));
        expect(n.leadSinceSec).toBe(since.length > 0 ? Math.max(...since) : undefined);
        expect(n.topShares).toEqual(movable.map((t) => t.shareMilli).sort((a, b) => b - a).slice(0, TOP_SHARES));
        const sums = new Map<unknown, number>();
        for (const t of movable) sums.set(t.moveClass, (sums.get(t.moveClass) ?? 0) + t.shareMilli);
        expect(new Map(n.classes!.map((c, i) => [c, n.classShares![i]]))).toEqual(sums);
      }
    }
  });
});
