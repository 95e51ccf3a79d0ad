// Rule 3: free ONE edge node for a new request by moving some of its requests
// to the cloud. Every edge node that could take the request once its movable
// requests left is tried: its requests in move order (least important first),
// each to the most used cloud node that fits it at its own budget, until the
// request fits. The node needing the fewest moves wins; ties: the least
// important moved requests, then the highest CPU usage, then the name.
//
// Each node is tried as a trial (cloud reservations, undone), so trying costs
// nothing in the state; a node's try stops as soon as it needs more moves than
// the best so far. Where a request's first move goes depends only on its model
// and budget (the cloud is as it was), so that answer is computed once per
// decision, which makes the common one-move try of a node a map lookup.
import type { LatencyModel } from "../../src/latency/model.js";
import type { ClusterState } from "./cluster-state.js";
import { moveOrder } from "./move-index.js";
import type { NodeState, PlacedTask } from "./node-state.js";
import { mostUsedFirst } from "./plugins/most-used.js";
import { type NeedAt, needMilli, perDelay, toCores } from "./share.js";
import type { DecisionContext, Migration } from "./types.js";

/** The decision's context and the policy's residence rule. */
export interface MoveLimits extends DecisionContext {
  /** A request placed or moved less than this many seconds ago is not moved. */
  minResidenceSec: number;
}

interface Move {
  task: PlacedTask;
  to: NodeState;
  shareMilli: number;
}

interface Plan {
  node: NodeState;
  moves: Move[];
}

/**
 * Applies the moves that make room for the new request (needing `need`) on one edge
 * node and returns them. When no edge node can be freed it returns, with the state
 * untouched, a note for the reason: "" or " (held back: N placed or moved less than S s
 * ago, M migrating)".
 */
export function planMoves(state: ClusterState, need: NeedAt, limits: MoveLimits): Migration[] | string {
  if (!state.moves.edgeCouldFitAfterMoves(need)) return "";
  const trial = new Trial(state, limits);
  let best: Plan | undefined;
  for (const kind of state.moves.edgeKinds.values()) {
    const m = need(kind.netDelayMs);
    if (m < 0 || m > kind.capMilli) continue;
    for (const node of kind.byPinned) {
      // Ordered by pinned load: the rest cannot fit the request even with every movable request gone.
      if (node.pinnedMilli + m > node.capMilli) break;
      const moves = trial.movesFor(node, node.usedMilli + m - node.capMilli, best ? best.moves.length : Number.POSITIVE_INFINITY);
      if (moves && (!best || better(node, moves, best) < 0)) best = { node, moves };
    }
  }
  if (!best) return trial.whyNot();
  return best.moves.map((mv) => {
    const from = mv.task.node.name;
    state.move(mv.task, mv.to, mv.shareMilli, limits.atSec);
    return { request: mv.task.request.id, from, to: mv.to.name, cpuShare: toCores(mv.shareMilli) };
  });
}

/** Negative when freeing `node` by `moves` is better than `best`: fewer moves, less important ones, more used, name. */
function better(node: NodeState, moves: Move[], best: Plan): number {
  if (moves.length !== best.moves.length) return moves.length - best.moves.length;
  for (let i = 0; i < moves.length; i++) {
    const c = moveOrder(moves[i]!.task, best.moves[i]!.task);
    if (c !== 0) return c;
  }
  return mostUsedFirst.compare(node, best.node);
}

/** One decision's tries, and what they learned: first-move targets, requests held back. */
class Trial {
  /** Where a request of this model and budget goes first (null: nowhere), with the cloud as it is. */
  private readonly firstTarget = new Map<LatencyModel, Map<number, { to: NodeState; shareMilli: number } | null>>();
  private readonly recent = new Set<PlacedTask>();
  private readonly migrating = new Set<PlacedTask>();

  constructor(
    private readonly state: ClusterState,
    private readonly limits: MoveLimits,
  ) {}

  /**
   * The moves that free `deficit` millicores on `node`, in move order, or undefined when
   * they would exceed `atMost` or the node cannot be freed. The state is left as it was.
   */
  movesFor(node: NodeState, deficit: number, atMost: number): Move[] | undefined {
    const moves: Move[] = [];
    let reserved = 0;
    let freed = 0;
    try {
      for (const task of node.edgeTasks!) {
        if (freed >= deficit) break;
        if (!task.movable || this.heldBack(task)) continue;
        if (moves.length >= atMost) return undefined;
        // A later move sees the cloud with the earlier ones in it (reserved only then: most tries stop at one).
        for (; reserved < moves.length; reserved++) this.state.reserve(moves[reserved]!.to, moves[reserved]!.shareMilli);
        const target = moves.length === 0 ? this.first(task) : this.target(task);
        if (!target) continue;
        moves.push({ task, ...target });
        freed += task.shareMilli;
      }
      return freed >= deficit ? moves : undefined;
    } finally {
      for (let i = 0; i < reserved; i++) this.state.reserve(moves[i]!.to, -moves[i]!.shareMilli);
    }
  }

  /** The note for a miss: which requests on nodes that could have been freed the limits held back. */
  whyNot(): string {
    const held: string[] = [];
    if (this.recent.size > 0) held.push(`${this.recent.size} placed or moved less than ${this.limits.minResidenceSec} s ago`);
    if (this.migrating.size > 0) held.push(`${this.migrating.size} migrating`);
    return held.length > 0 ? ` (held back: ${held.join(", ")})` : "";
  }

  /** Migrating now, or too recently placed or moved (only when both times are known). */
  private heldBack(task: PlacedTask): boolean {
    if (this.limits.migrating?.has(task.request.id)) {
      this.migrating.add(task);
      return true;
    }
    const { atSec, minResidenceSec } = this.limits;
    if (atSec !== undefined && task.sinceSec !== undefined && atSec - task.sinceSec < minResidenceSec) {
      this.recent.add(task);
      return true;
    }
    return false;
  }

  private first(task: PlacedTask): { to: NodeState; shareMilli: number } | undefined {
    let byBudget = this.firstTarget.get(task.model);
    if (!byBudget) {
      byBudget = new Map();
      this.firstTarget.set(task.model, byBudget);
    }
    let t = byBudget.get(task.request.delayBudgetMs);
    if (t === undefined) {
      t = this.target(task) ?? null;
      byBudget.set(task.request.delayBudgetMs, t);
    }
    return t ?? undefined;
  }

  /** The most used cloud node that fits the request at its own budget, with the share it needs there. */
  private target(task: PlacedTask): { to: NodeState; shareMilli: number } | undefined {
    const taskNeed = perDelay((d) => needMilli(task.model, task.request.delayBudgetMs, d));
    const to = this.state.finder.mostUsedFit("cloud", taskNeed);
    return to && { to, shareMilli: taskNeed(to.netDelayMs) };
  }
}
