// The move index: move order across priorities and budgets, and the pinned
// load that tells the planner when no sequence of moves can help.
import { describe, expect, it } from "vitest";
import { ScanFinder } from "../../../../scheduler/placement/capacity-index.js";
import { ClusterState } from "../../../../scheduler/placement/cluster-state.js";
import type { TaskRequest } from "../../../../scheduler/placement/types.js";
import { LEADS, TOP_SHARES } from "../../../../scheduler/placement/node-state.js";
import { moveOrder } from "../../../../scheduler/placement/move-index.js";

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

  it("keeps each edge node's lead requests, largest shares, per-class sums and its kind's flat summaries equal to its movable requests", () => {
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
        state.assign({ ...req(id, [120, 300, 900][rand(3)]!, rand(4) === 0 ? rand(3) : undefined), inputClass: `x${rand(2)}` }, model, edges[rand(edges.length)]!, 1 + rand(400), rand(50));
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
        expect(n.movableShares).toEqual(movable.map((t) => t.shareMilli));
        expect(n.movableClasses).toEqual(movable.map((t) => t.moveClass));
        // The kind's flat summaries (edge-kind-table.ts) hold the same, in the node's slot.
        const table = state.moves.edgeKinds.get("2|4000")!.table;
        const s = n.kindSlot!;
        expect(table.nodes[s]).toBe(n);
        expect([table.used[s], table.pinned[s]]).toEqual([n.usedMilli, n.pinnedMilli]);
        expect([...table.lead.subarray(s * LEADS, s * LEADS + table.leadLen[s]!)]).toEqual(n.leadShares);
        expect(table.leadClass.slice(s * LEADS, s * LEADS + table.leadLen[s]!)).toEqual(n.leadClasses);
        expect(Number.isNaN(table.leadSince[s]!) ? undefined : table.leadSince[s]).toBe(n.leadSinceSec);
        expect([...table.top.subarray(s * TOP_SHARES, s * TOP_SHARES + table.topLen[s]!)]).toEqual(n.topShares);
        const head = movable[0];
        if (head) {
          for (const other of [...state.tasks.values()].filter((t) => t !== head)) {
            expect(table.headAfter(s, other), `${head.request.id} after ${other.request.id}`).toBe(moveOrder(head, other) > 0);
          }
        }
      }
      if (i === 200) {
        // A node leaves its kind (emptied first): the last slot takes its place.
        for (const t of [...state.tasks.values()].filter((t) => t.node === edges[0])) {
          state.release(t.request.id);
          placed.splice(placed.indexOf(t.request.id), 1);
        }
        expect(state.removeNode("edge0")).toBe(true);
        edges.shift();
      }
    }
  });
});
