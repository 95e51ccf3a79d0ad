// Rule 3: free ONE edge node for a new request by moving some of its requests
// to the cloud. Every edge node that could take the request once its movable
// requests left is tried: its requests in move order (least important first),
// each to the most used cloud node that fits it at its own budget, until the
// request fits. The node needing the fewest moves wins; ties: the least
// important moved requests, then the highest CPU usage, then the name.
//
// Trying a node changes nothing. It is first only counted: a request can move
// when some cloud node fits it, and while the most roomy cloud node for its
// model and budget would still fit it after every earlier move of this try
// landed there, it surely can (per model and budget, that room is computed once
// per decision). Only when that is not sure is the try made move by move, each
// move's target found with the earlier ones counted on their cloud nodes. A try
// stops as soon as it needs more moves than the best so far. The winner's
// moves are then worked out and made.
//
// Data protection (limits.admission): only edge nodes the new request may run
// on are freed, and a regulated request is moved only to a cloud node it may
// run on; its targets are found by a scan of the cloud nodes (the per-class
// answers do not know regulations), so its tries are always made move by move.
import type { ClusterState } from "./cluster-state.js";
import type { MoveClass, Target as ClassTarget } from "./move-class.js";
import { moveOrder } from "./move-index.js";
import { byName, type NodeState, type PlacedTask } from "./node-state.js";
import { mostUsedFirst } from "./plugins/most-used.js";
import { type NeedAt, toCores } from "./share.js";
import type { Migration, MoveLimits } from "./types.js";

/** The decision's context and the policy's residence rule. */
export type { MoveLimits };

type Target = ClassTarget<NodeState>;

interface Move extends Target {
  task: PlacedTask;
}

/** A count that needs a try move by move, put off. */
const LATER = "later";

/** Stamps decisions, so a class's cached answers (move-class.ts) are known to be this decision's. */
let decisions = 0;

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
export function planMoves(state: ClusterState, need: NeedAt, limits: MoveLimits): Migration[] | string {
  if (!state.moves.edgeCouldFitAfterMoves(need)) return "";
  const trial = new Trial(state, limits);
  const { request, admission } = limits;
  const allowed = request && admission?.restricts(request) ? (n: NodeState) => admission.refuse(request, n.spec) === undefined : undefined;
  let best: Count | undefined;
  // Nodes whose count needs a try move by move: tried last, when the best so far cuts most of them short.
  const later: { node: NodeState; deficit: number }[] = [];
  for (const kind of state.moves.edgeKinds.values()) {
    const m = need(kind.netDelayMs);
    if (m < 0 || m > kind.capMilli) continue;
    for (const node of kind.nodes) {
      // Even with every movable request gone it could not take the request.
      if (node.pinnedMilli + m > node.capMilli) continue;
      if (allowed && !allowed(node)) continue;
      const deficit = node.usedMilli + m - node.capMilli;
      const c = trial.count(node, deficit, best, false);
      if (c === LATER) later.push({ node, deficit });
      else if (c && (!best || better(c, best) < 0)) best = c;
    }
  }
  for (const { node, deficit } of later) {
    const c = trial.count(node, deficit, best, true);
    if (c && c !== LATER && (!best || better(c, best) < 0)) best = c;
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
  private readonly stamp = ++decisions;

  private readonly recent = new Set<PlacedTask>();
  private readonly migrating = new Set<PlacedTask>();

  constructor(
    private readonly state: ClusterState,
    private readonly limits: MoveLimits,
  ) {}

  /**
   * How many moves free `deficit` millicores on `node`, or undefined when it cannot be
   * freed or would not beat `best`. Counted without targets while every move surely has one;
   * when that is not sure, the count is made move by move if `exact`, else it is LATER.
   */
  count(node: NodeState, deficit: number, best: Count | undefined, exact: boolean): Count | typeof LATER | undefined {
    let atMost = best ? best.moves : Number.POSITIVE_INFINITY;
    let moves = 0;
    let first: PlacedTask | undefined;
    let freed = 0;
    // The most the moves so far can have added to any one cloud node.
    let landed = 0;
    const tasks = node.movableTasks!;
    for (let i = 0; i < tasks.length && freed < deficit; i++) {
      const task = tasks[i]!;
      if (this.heldBack(task)) continue;
      if (moves >= atMost) return undefined;
      const e = this.entry(task);
      if (e.room < 0) continue; // no cloud node fits it now, so none will during this try
      if (e.room < landed || this.regulated(task)) {
        if (!exact) return LATER;
        // Trying move by move costs; first make sure that the rest could free enough within the moves left.
        if (!this.couldFree(tasks, i, deficit - freed, atMost - moves)) return undefined;
        return this.exactCount(node, deficit, best);
      }
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

  /**
   * Whether `moves` of the requests from `tasks[from]` on could free `deficit` (an upper bound:
   * the largest of those not held back and with some cloud node fitting them now). Checks
   * every one for being held back, as a full try would, so the reason counts the same requests.
   */
  private couldFree(tasks: readonly PlacedTask[], from: number, deficit: number, moves: number): boolean {
    const shares: number[] = [];
    let sum = 0;
    for (let i = from; i < tasks.length; i++) {
      const task = tasks[i]!;
      if (this.heldBack(task) || this.entry(task).room < 0) continue;
      shares.push(task.shareMilli);
      sum += task.shareMilli;
    }
    if (shares.length <= moves) return sum >= deficit;
    shares.sort((a, b) => b - a);
    sum = 0;
    for (let i = 0; i < moves; i++) sum += shares[i]!;
    return sum >= deficit;
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
    // What the moves so far added to each cloud node they went to.
    const landed = new Map<NodeState, number>();
    let atMost = best ? best.moves : Number.POSITIVE_INFINITY;
    let freed = 0;
    for (const task of node.movableTasks!) {
      if (freed >= deficit) break;
      if (this.heldBack(task)) continue;
      if (moves.length >= atMost) return undefined;
      const target = this.targetAfter(task, landed);
      if (!target) continue;
      moves.push({ task, ...target });
      landed.set(target.to, (landed.get(target.to) ?? 0) + target.shareMilli);
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
    const { migrating } = this.limits;
    if (migrating !== undefined && migrating.size > 0 && migrating.has(task.request.id)) {
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
   * The most used cloud node that fits the request at its own budget once the moves that
   * `landed` on cloud nodes are made, with the share it needs there. Only those nodes have
   * changed: the answer is the best of them (their new loads counted) and the best of the
   * others, which is the request's first target unless that is one of them.
   */
  private targetAfter(task: PlacedTask, landed: ReadonlyMap<NodeState, number>): Target | undefined {
    if (this.regulated(task)) return this.allowedTarget(task, landed);
    const base = this.first(task);
    if (!base || landed.size === 0) return base;
    const need = this.entry(task).need;
    let best: NodeState | undefined;
    let bestUsed = 0;
    if (landed.has(base.to)) {
      best = landed.size === 1 ? this.bestBesides(task, base.to) : this.state.finder.mostUsedFitExcept("cloud", need, [...landed.keys()]);
      bestUsed = best?.usedMilli ?? 0;
    } else {
      best = base.to;
      bestUsed = base.to.usedMilli;
    }
    for (const [to, extra] of landed) {
      const used = to.usedMilli + extra;
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

  /** Whether the admission judges this request's nodes (then its targets come from allowedTarget). */
  private regulated(task: PlacedTask): boolean {
    return this.limits.admission?.restricts(task.request) ?? false;
  }

  /** As targetAfter, by a scan of the cloud nodes the request may run on. */
  private allowedTarget(task: PlacedTask, landed: ReadonlyMap<NodeState, number>): Target | undefined {
    const admission = this.limits.admission!;
    const need = this.entry(task).need;
    let best: NodeState | undefined;
    let bestUsage = -1;
    for (const to of this.state.nodes.values()) {
      if (to.tier !== "cloud") continue;
      const share = need(to.netDelayMs);
      const used = to.usedMilli + (landed.get(to) ?? 0);
      if (share < 0 || used + share > to.capMilli) continue;
      const u = used / to.capMilli;
      if (best && (u < bestUsage || (u === bestUsage && byName(to.name, best.name) > 0))) continue;
      if (admission.refuse(task.request, to.spec) !== undefined) continue;
      best = to;
      bestUsage = u;
    }
    return best && { to: best, shareMilli: need(best.netDelayMs) };
  }

  /** The request's class, with this decision's answers about the cloud (computed on first use). */
  private entry(task: PlacedTask): MoveClass<NodeState> {
    const c = task.moveClass!;
    if (c.stamp !== this.stamp) {
      c.stamp = this.stamp;
      // Over every node's delay, not only the cloud's: a bound is all it needs to be.
      let maxShare = 0;
      for (const d of this.state.netDelays.keys()) maxShare = Math.max(maxShare, c.need(d));
      c.maxShare = maxShare;
      c.room = this.state.finder.mostRoomAfter("cloud", c.need);
      c.first = undefined;
      c.besides = undefined;
    }
    return c;
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
