// The move planner as merged with the refined rule 3 (fm/rule3, 4e9c235), kept
// as the reference for the differential test: the faster planner must make the
// same decisions. Only its walks changed: a node's movable requests (the same
// requests in the same order it skipped the others from) instead of all of them.
import type { LatencyModel } from "../../../../src/latency/model.js";
import type { ClusterState } from "../../../../scheduler/placement/cluster-state.js";
import { moveOrder } from "../../../../scheduler/placement/move-index.js";
import { byName, type NodeState, type PlacedTask } from "../../../../scheduler/placement/node-state.js";
import { mostUsedFirst } from "../../../../scheduler/placement/plugins/most-used.js";
import { type NeedAt, needMilli, perDelay, toCores } from "../../../../scheduler/placement/share.js";
import type { Migration, MoveLimits } from "../../../../scheduler/placement/types.js";

/** The decision's context and the policy's residence rule. */
export type { MoveLimits };

/** A cloud node for a moved request and the share it needs there. */
interface Target {
  to: NodeState;
  shareMilli: number;
}

interface Move extends Target {
  task: PlacedTask;
}

/** What one decision knows about the requests of one model and budget. */
interface Entry {
  need: NeedAt;
  /** The most room a cloud node would have left after taking one (negative: none fits). */
  room: number;
  /** The most its share can be on any cloud node that fits it. */
  maxShare: number;
  /** Where one goes first, with the cloud as it is (undefined: not asked yet; null: nowhere). */
  first?: Target | null;
  /** The best cloud node for one other than its first target (null: none): moves of a try mostly share one target. */
  besides?: Map<NodeState, NodeState | null>;
}

/** A tried node: how many moves free it, and the first (least important) of them. */
interface Count {
  node: NodeState;
  deficit: number;
  moves: number;
  first: PlacedTask;
}

/**
 * Applies the moves that make room for the new request (needing `need`) on one edge
 * node and returns them. When no edge node can be freed it returns, with the state
 * untouched, a note for the reason: "" or " (held back: N placed or moved less than S s
 * ago, M migrating)".
 */
export function previousPlanMoves(state: ClusterState, need: NeedAt, limits: MoveLimits): Migration[] | string {
  if (!state.moves.edgeCouldFitAfterMoves(need)) return "";
  const trial = new Trial(state, limits);
  let best: Count | undefined;
  for (const kind of state.moves.edgeKinds.values()) {
    const m = need(kind.netDelayMs);
    if (m < 0 || m > kind.capMilli) continue;
    for (const node of kind.byPinned) {
      // Ordered by pinned load: the rest cannot fit the request even with every movable request gone.
      if (node.pinnedMilli + m > node.capMilli) break;
      const c = trial.count(node, node.usedMilli + m - node.capMilli, best);
      if (c && (!best || better(c, best) < 0)) best = c;
    }
  }
  if (!best) return trial.whyNot();
  return trial.movesFor(best.node, best.deficit, undefined)!.map((mv) => {
    const from = mv.task.node.name;
    state.move(mv.task, mv.to, mv.shareMilli, limits.atSec);
    return { request: mv.task.request.id, from, to: mv.to.name, cpuShare: toCores(mv.shareMilli) };
  });
}

/**
 * Negative when `a` frees its node better than `b`: fewer moves, then less important moved
 * requests (two nodes never move the same requests, so their first moves decide), then the
 * more used node, then the name.
 */
function better(a: Count, b: Count): number {
  return a.moves - b.moves || moveOrder(a.first, b.first) || mostUsedFirst.compare(a.node, b.node);
}

/** One decision's tries, and what they learned: first-move targets, requests held back. */
class Trial {
  /** Per model and budget: its need per delay, and where it goes first (null: nowhere). */
  private readonly byClass = new Map<LatencyModel, Map<number, Entry>>();
  private readonly recent = new Set<PlacedTask>();
  private readonly migrating = new Set<PlacedTask>();

  constructor(
    private readonly state: ClusterState,
    private readonly limits: MoveLimits,
  ) {}

  /**
   * How many moves free `deficit` millicores on `node`, or undefined when it cannot be
   * freed or would not beat `best`. Counted without targets while every move surely has one.
   */
  count(node: NodeState, deficit: number, best: Count | undefined): Count | undefined {
    let atMost = best ? best.moves : Number.POSITIVE_INFINITY;
    let moves = 0;
    let first: PlacedTask | undefined;
    let freed = 0;
    // The most the moves so far can have added to any one cloud node.
    let landed = 0;
    for (const task of node.movableTasks!) {
      if (freed >= deficit) break;
      if (!task.movable || this.heldBack(task)) continue;
      if (moves >= atMost) return undefined;
      const e = this.entry(task);
      if (e.room < 0) continue; // no cloud node fits it now, so none will during this try
      if (e.room < landed) return this.exactCount(node, deficit, best);
      moves++;
      freed += task.shareMilli;
      landed += e.maxShare;
      if (!first) {
        first = task;
        // Equal counts go to the less important first move: once ours is the more important, only fewer moves win.
        if (best && moveOrder(task, best.first) > 0) atMost--;
      }
    }
    return freed >= deficit && first ? { node, deficit, moves, first } : undefined;
  }

  /** The count made move by move (see movesFor). */
  private exactCount(node: NodeState, deficit: number, best: Count | undefined): Count | undefined {
    const moves = this.movesFor(node, deficit, best);
    return moves && { node, deficit, moves: moves.length, first: moves[0]!.task };
  }

  /**
   * The moves that free `deficit` millicores on `node`, in move order, each with its target,
   * or undefined when the node cannot be freed or would not beat `best`.
   */
  movesFor(node: NodeState, deficit: number, best: Count | undefined): Move[] | undefined {
    const moves: Move[] = [];
    let atMost = best ? best.moves : Number.POSITIVE_INFINITY;
    let freed = 0;
    for (const task of node.movableTasks!) {
      if (freed >= deficit) break;
      if (!task.movable || this.heldBack(task)) continue;
      if (moves.length >= atMost) return undefined;
      const target = this.targetAfter(task, moves);
      if (!target) continue;
      moves.push({ task, ...target });
      freed += task.shareMilli;
      if (moves.length === 1 && best && moveOrder(task, best.first) > 0) atMost--;
    }
    return freed >= deficit && moves.length > 0 ? moves : undefined;
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

  /**
   * The most used cloud node that fits the request at its own budget once `moves` are made,
   * with the share it needs there. Only the nodes those moves go to have changed: the answer
   * is the best of them (their new loads counted) and the best of the others, which is the
   * request's first target unless that is one of them.
   */
  private targetAfter(task: PlacedTask, moves: readonly Move[]): Target | undefined {
    const base = this.first(task);
    if (!base || moves.length === 0) return base;
    const need = this.entry(task).need;
    const changed: NodeState[] = [];
    for (const mv of moves) if (!changed.includes(mv.to)) changed.push(mv.to);
    let best: NodeState | undefined;
    let bestUsed = 0;
    if (changed.includes(base.to)) {
      best = changed.length === 1 ? this.bestBesides(task, base.to) : this.state.finder.mostUsedFitExcept("cloud", need, changed);
      bestUsed = best?.usedMilli ?? 0;
    } else {
      best = base.to;
      bestUsed = base.to.usedMilli;
    }
    for (const to of changed) {
      let used = to.usedMilli;
      for (const mv of moves) if (mv.to === to) used += mv.shareMilli;
      const share = need(to.netDelayMs);
      if (share < 0 || used + share > to.capMilli) continue;
      // The order of mostUsedFirst, with the moves' shares counted.
      const u = used / to.capMilli;
      const ub = best ? bestUsed / best.capMilli : -1;
      if (!best || u > ub || (u === ub && byName(to.name, best.name) < 0)) {
        best = to;
        bestUsed = used;
      }
    }
    return best && { to: best, shareMilli: need(best.netDelayMs) };
  }

  private entry(task: PlacedTask): Entry {
    let byBudget = this.byClass.get(task.model);
    if (!byBudget) {
      byBudget = new Map();
      this.byClass.set(task.model, byBudget);
    }
    let e = byBudget.get(task.request.delayBudgetMs);
    if (!e) {
      const { model } = task;
      const budget = task.request.delayBudgetMs;
      const need = perDelay((d) => needMilli(model, budget, d));
      // Over every node's delay, not only the cloud's: a bound is all it needs to be.
      let maxShare = 0;
      for (const d of this.state.netDelays.keys()) maxShare = Math.max(maxShare, need(d));
      e = { need, room: this.state.finder.mostRoomAfter("cloud", need), maxShare };
      byBudget.set(budget, e);
    }
    return e;
  }

  /** The most used cloud node, other than `not`, that fits the request as the cloud is. */
  private bestBesides(task: PlacedTask, not: NodeState): NodeState | undefined {
    const e = this.entry(task);
    e.besides ??= new Map();
    let to = e.besides.get(not);
    if (to === undefined) {
      to = this.state.finder.mostUsedFitExcept("cloud", e.need, [not]) ?? null;
      e.besides.set(not, to);
    }
    return to ?? undefined;
  }

  /** Where a request goes first, with the cloud as it is (the same for its model and budget). */
  private first(task: PlacedTask): Target | undefined {
    const e = this.entry(task);
    if (e.first === undefined) {
      const to = this.state.finder.mostUsedFit("cloud", e.need);
      e.first = to ? { to, shareMilli: e.need(to.netDelayMs) } : null;
    }
    return e.first ?? undefined;
  }
}
