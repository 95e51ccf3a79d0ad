// The rule-3 planner as merged before the indexed search (36cbfe6..929ada1), kept so
// `npm run bench -- scheduler` runs it beside the current one on the same trace.
// It visits every candidate edge node per decision (see docs/placement.md).
//
// Rule 3: free ONE edge node for a new request by moving some of its requests
// to the cloud. Every edge node that could take the request once its movable
// requests left is tried: its requests in move order (least important first),
// each to the most used cloud node that fits it at its own budget, until the
// request fits. The node needing the fewest moves wins; ties: the least
// important moved requests, then the highest CPU usage, then the name.
//
// Trying a node changes nothing. It is first only counted: a request can move
// when some cloud node fits it, and it surely still can after the try's earlier
// moves when either the most roomy cloud node for its model and budget would
// fit it after every one of them landed there, or more cloud nodes fit it than
// there were earlier moves (they landed on at most that many nodes, so one that
// fits is untouched). Both are answered once per model, budget and decision.
// Only when neither holds is the try made move by move, each move's target
// found with the earlier ones counted on their cloud nodes. A node whose
// largest movable shares (kept by the move index) could not free it within the
// best count so far is not tried at all, and a try stops as soon as it needs
// more moves than the best so far. The winner's moves are then worked out and made.
//
// Migration-aware admission (limits.downtime): a request whose budget cannot
// absorb its expected downtime at its request rate (downtime.ts) is left out of
// a first search, as if held back; only when that frees no node does a second
// search, the rule as without a downtime model, move it too.
//
// Data protection (limits.admission): only edge nodes the new request may run
// on are freed, and a regulated request is moved only to a cloud node it may
// run on; its targets are found by a scan of the cloud nodes (the per-class
// answers do not know regulations), so its tries are always made move by move.
import type { ClusterState } from "../scheduler/placement/cluster-state.js";
import type { MoveClass } from "../scheduler/placement/move-class.js";
import { moveOrder } from "../scheduler/placement/move-index.js";
import { byName, LEADS, type NodeState, type PlacedTask } from "../scheduler/placement/node-state.js";
import { mostUsedFirst } from "../scheduler/placement/plugins/most-used.js";
import { lateRequests } from "../scheduler/placement/downtime.js";
import { type NeedAt, toCores } from "../scheduler/placement/share.js";
import type { Migration, MoveLimits } from "../scheduler/placement/types.js";

/** As many largest shares as this planner bounded tries with (the move index now keeps more). */
const TOP_SHARES = 4;

/** The decision's context and the policy's residence rule. */
export type { MoveLimits };

interface Move {
  task: PlacedTask;
  to: NodeState;
  shareMilli: number;
}

/**
 * How many fitting cloud nodes a class lists per decision: they prove that a try of fewer
 * moves leaves one untouched, and give a move its target unless the try went to all of them.
 */
const TOP_TARGETS = 8;

/** A count that needs a try move by move, put off. */
const LATER = "later";

/** A count the node's lead requests do not settle. */
const UNSETTLED = "unsettled";

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
export function scanPlanMoves(state: ClusterState, need: NeedAt, limits: MoveLimits): Migration[] | string {
  if (!state.moves.edgeCouldFitAfterMoves(need)) return "";
  const { request, admission } = limits;
  const allowed = request && admission?.restricts(request) ? (n: NodeState) => admission.refuse(request, n.spec) === undefined : undefined;
  // The candidate nodes by how many moves they would need if every request moved as it came
  // (the usual case), so a small best count is found first and cuts the other tries short.
  for (const b of buckets) b.length = 0;
  for (const kind of state.moves.edgeKinds.values()) {
    const m = need(kind.netDelayMs);
    if (m < 0 || m > kind.capMilli) continue;
    for (const node of kind.nodes) {
      // Even with every movable request gone it could not take the request.
      if (node.pinnedMilli + m > node.capMilli) continue;
      if (allowed && !allowed(node)) continue;
      const deficit = node.usedMilli + m - node.capMilli;
      buckets[likelyMoves(node, deficit) - 1]!.push(node, deficit);
    }
  }
  // Migration-aware admission: first without the requests a move would make late, then, when
  // that frees no node, with them (the rule as without a downtime model).
  let trial = new Trial(state, limits, limits.downtime !== undefined);
  let best = search(trial);
  if (!best && limits.downtime !== undefined) {
    trial = new Trial(state, limits, false);
    best = search(trial);
  }
  if (!best) return trial.whyNot(buckets);
  const moves: Move[] = [];
  trial.movesFor(best.node, best.deficit, undefined, moves);
  return moves.map((mv) => {
    const from = mv.task.node;
    const migration: Migration = { request: mv.task.request.id, from: from.name, to: mv.to.name, cpuShare: toCores(mv.shareMilli) };
    const cost = limits.downtime?.estimate(mv.task.request);
    if (cost) {
      migration.lateRequests = lateRequests(mv.task.request, mv.task.model, mv.task.shareMilli, from.netDelayMs, cost.frozenMs);
      if (cost.workingSetMiB !== undefined) migration.movedMiB = cost.workingSetMiB;
    }
    state.move(mv.task, mv.to, mv.shareMilli, limits.atSec);
    return migration;
  });
}

/** The best count over the candidate nodes in `buckets`, or undefined when none can be freed. */
function search(trial: Trial): Count | undefined {
  let best: Count | undefined;
  // Nodes whose count needs a try move by move: tried last, when the best so far cuts most of them short.
  const later: (NodeState | number)[] = [];
  for (const bucket of buckets) {
    for (let i = 0; i < bucket.length; i += 2) {
      const node = bucket[i] as NodeState;
      const deficit = bucket[i + 1] as number;
      const c = trial.count(node, deficit, best, best === undefined);
      if (c === LATER) later.push(node, deficit);
      else if (c && (!best || better(c, best) < 0)) best = c;
    }
  }
  for (let i = 0; i < later.length; i += 2) {
    const c = trial.count(later[i] as NodeState, later[i + 1] as number, best, true);
    if (c && c !== LATER && (!best || better(c, best) < 0)) best = c;
  }
  return best;
}

/**
 * Candidate nodes with their deficits (node, deficit, node, deficit, ...), by likelyMoves:
 * bucket k-1 holds those for k. Reused by every decision: it allocates no arrays for them.
 */
const buckets: (NodeState | number)[][] = Array.from({ length: LEADS + 1 }, () => []);

/** How many of its first requests in move order free `deficit` on `node` (1..LEADS), or LEADS + 1 for more. */
function likelyMoves(node: NodeState, deficit: number): number {
  const lead = node.leadShares!;
  let sum = 0;
  for (let k = 0; k < lead.length; k++) {
    sum += lead[k]!;
    if (sum >= deficit) return k + 1;
  }
  return LEADS + 1;
}

/**
 * Negative when `a` frees its node better than `b`: fewer moves, then less important moved
 * requests (two nodes never move the same requests, so their first moves decide), then the
 * more used node, then the name.
 */
function better(a: Count, b: Count): number {
  return a.moves - b.moves || moveOrder(a.first, b.first) || mostUsedFirst.compare(a.node, b.node);
}

/** Whether the node's `moves` largest movable shares (moves <= TOP_SHARES) add up to `deficit`: fewer moves never free it. */
function couldFreeWithin(node: NodeState, deficit: number, moves: number): boolean {
  const top = node.topShares!;
  let sum = 0;
  for (let i = 0; i < moves && i < top.length; i++) sum += top[i]!;
  return sum >= deficit;
}

/** One decision's tries, and what they learned: each class's targets, requests held back. */
class Trial {
  private readonly stamp = ++decisions;

  private readonly recent = new Set<PlacedTask>();
  private readonly migrating = new Set<PlacedTask>();
  /** The try under way: the cloud nodes its moves went to and what they added to each. */
  private readonly landedOn: NodeState[] = [];
  private readonly landedMilli: number[] = [];

  /** Whether the limits may hold any request back. */
  private readonly mayHold: boolean;
  /** Edge nodes where a request is being moved now (its move is not made again). */
  private readonly migratingOn?: Set<NodeState>;

  /**
   * @param spareLate leave out the requests a move would make late (migration-aware
   * admission's first search; needs limits.downtime)
   */
  constructor(
    private readonly state: ClusterState,
    private readonly limits: MoveLimits,
    private readonly spareLate: boolean,
  ) {
    this.mayHold = (limits.atSec !== undefined && limits.minResidenceSec > 0) || (limits.migrating?.size ?? 0) > 0;
    if (limits.migrating === undefined || limits.migrating.size === 0) return;
    this.migratingOn = new Set();
    for (const id of limits.migrating) {
      const task = state.tasks.get(id);
      if (task) this.migratingOn.add(task.node);
    }
  }

  /**
   * How many moves free `deficit` millicores on `node`, or undefined when it cannot be
   * freed or would not beat `best`. Counted without targets while every move surely has one;
   * when that is not sure, the count is made move by move if `exact`, else it is LATER.
   */
  count(node: NodeState, deficit: number, best: Count | undefined, exact: boolean): Count | typeof LATER | undefined {
    let atMost = best ? best.moves : Number.POSITIVE_INFINITY;
    if (atMost <= TOP_SHARES && !couldFreeWithin(node, deficit, atMost)) return undefined;
    const settled = this.leadCount(node, deficit, best);
    if (settled !== UNSETTLED) return settled;
    if (!this.couldEverFree(node, deficit)) return undefined;
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
      if ((e.room < landed && !this.untouchedFits(e, moves)) || this.regulated(task)) {
        return exact ? this.movesFor(node, deficit, best) : LATER;
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
   * count() from the node's lead requests alone (their shares and classes, kept by the move
   * index), when none of them is held back, skipped or unsure of a target and they free the
   * deficit or exceed `best`; UNSETTLED otherwise (then the requests are walked). The same
   * steps as count's walk, on the same values, without visiting the requests.
   */
  private leadCount(node: NodeState, deficit: number, best: Count | undefined): Count | undefined | typeof UNSETTLED {
    if (deficit <= 0 || this.unsettledLeads(node)) return UNSETTLED;
    const shares = node.leadShares!;
    const classes = node.leadClasses!;
    const most = best ? best.moves : Number.POSITIVE_INFINITY;
    let moves = 0;
    let first: PlacedTask | undefined;
    let freed = 0;
    let landed = 0;
    for (let j = 0; j < shares.length; j++) {
      if (moves >= most) return undefined;
      const e = this.fresh(classes[j]!);
      if (e.room < 0) continue; // as in count: no cloud node fits it, it is not moved
      if (e.room < landed && !this.untouchedFits(e, moves)) return UNSETTLED;
      moves++;
      freed += shares[j]!;
      landed += e.maxShare;
      first ??= node.movableTasks![j]!;
      if (freed >= deficit) {
        // As in count: with the more important first move, only fewer moves than the best win.
        if (best && moves === best.moves && moveOrder(first, best.first) > 0) return undefined;
        return { node, deficit, moves, first };
      }
    }
    return UNSETTLED;
  }

  /**
   * Whether the node's movable requests of classes some cloud node fits now add up to
   * `deficit`: only those can move in any try (the held back ones are counted by whyNot).
   */
  private couldEverFree(node: NodeState, deficit: number): boolean {
    const classes = node.classes!;
    const shares = node.classShares!;
    let sum = 0;
    for (let i = 0; i < classes.length; i++) {
      if (this.fresh(classes[i]!).room >= 0) sum += shares[i]!;
      if (sum >= deficit) return true;
    }
    return false;
  }

  /** Whether a lead request of the node may be held back, or regulated (then its targets come from a scan). */
  private unsettledLeads(node: NodeState): boolean {
    const { atSec, minResidenceSec, admission } = this.limits;
    if (admission !== undefined || this.spareLate) return true;
    if (atSec !== undefined && node.leadSinceSec !== undefined && atSec - node.leadSinceSec < minResidenceSec) return true;
    return this.migratingOn?.has(node) ?? false;
  }

  /**
   * The count made move by move: the requests in move order, each to its target with the
   * earlier moves counted on their cloud nodes, until `deficit` is freed; undefined when the
   * node cannot be freed or would not beat `best`. With `out`, the moves are put there.
   */
  movesFor(node: NodeState, deficit: number, best: Count | undefined, out?: Move[]): Count | undefined {
    this.landedOn.length = 0;
    this.landedMilli.length = 0;
    let atMost = best ? best.moves : Number.POSITIVE_INFINITY;
    let moves = 0;
    let first: PlacedTask | undefined;
    let freed = 0;
    for (const task of node.movableTasks!) {
      if (freed >= deficit) break;
      if (this.heldBack(task)) continue;
      if (moves >= atMost) return undefined;
      const to = this.targetAfter(task);
      if (!to) continue;
      const shareMilli = task.moveClass!.need(to.netDelayMs);
      out?.push({ task, to, shareMilli });
      this.land(to, shareMilli);
      freed += task.shareMilli;
      moves++;
      if (!first) {
        first = task;
        if (best && moveOrder(task, best.first) > 0) atMost--;
      }
    }
    return freed >= deficit && first ? { node, deficit, moves, first } : undefined;
  }

  /**
   * The note for a miss: which movable requests on the candidate nodes the limits held back.
   * Tries cut short by bounds did not visit them all, so they are counted here.
   */
  whyNot(candidates: readonly (NodeState | number)[][]): string {
    if (this.mayHold) for (const bucket of candidates) for (let i = 0; i < bucket.length; i += 2) for (const t of (bucket[i] as NodeState).movableTasks!) this.heldBack(t);
    const held: string[] = [];
    if (this.recent.size > 0) held.push(`${this.recent.size} placed or moved less than ${this.limits.minResidenceSec} s ago`);
    if (this.migrating.size > 0) held.push(`${this.migrating.size} migrating`);
    return held.length > 0 ? ` (held back: ${held.join(", ")})` : "";
  }

  /**
   * Migrating now, or too recently placed or moved (only when both times are known); in
   * the first search of migration-aware admission, also a request a move would make late
   * (not counted as held back: the second search may move it).
   */
  private heldBack(task: PlacedTask): boolean {
    if (this.spareLate && this.wouldMakeLate(task)) return true;
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

  /** Whether its budget cannot absorb its expected downtime at its request rate. */
  private wouldMakeLate(task: PlacedTask): boolean {
    const cost = this.limits.downtime!.estimate(task.request);
    return cost !== undefined && lateRequests(task.request, task.model, task.shareMilli, task.node.netDelayMs, cost.frozenMs) > 0;
  }

  private land(to: NodeState, shareMilli: number): void {
    const i = this.landedOn.indexOf(to);
    if (i < 0) {
      this.landedOn.push(to);
      this.landedMilli.push(shareMilli);
    } else this.landedMilli[i]! += shareMilli;
  }

  /** Whether more cloud nodes fit the class's requests than `moves` earlier moves (each on one node) could have touched. */
  private untouchedFits(e: MoveClass<NodeState>, moves: number): boolean {
    return this.targets(e).length > moves;
  }

  /**
   * The most used cloud node that fits the request at its own budget once the try's moves so
   * far are made. Only the nodes they went to have changed: the answer is the best of those
   * (their new loads counted) and the best of the others, the first of the class's targets
   * that no move went to.
   */
  private targetAfter(task: PlacedTask): NodeState | undefined {
    if (this.regulated(task)) return this.allowedTarget(task);
    const e = this.entry(task);
    if (e.room < 0) return undefined;
    const targets = this.targets(e);
    const landedOn = this.landedOn;
    let best: NodeState | undefined;
    for (const to of targets) {
      if (!landedOn.includes(to)) {
        best = to;
        break;
      }
    }
    // Every listed target took a move, and more nodes fit: ask the index past them.
    if (!best && !e.allTargets) best = this.state.finder.mostUsedFitExcept("cloud", e.need, landedOn);
    let bestUsed = best?.usedMilli ?? 0;
    for (let i = 0; i < landedOn.length; i++) {
      const to = landedOn[i]!;
      const used = to.usedMilli + this.landedMilli[i]!;
      const share = e.need(to.netDelayMs);
      if (share < 0 || used + share > to.capMilli) continue;
      // The order of mostUsedFirst, with the moves' shares counted.
      const u = used / to.capMilli;
      const ub = best ? bestUsed / best.capMilli : -1;
      if (!best || u > ub || (u === ub && byName(to.name, best.name) < 0)) {
        best = to;
        bestUsed = used;
      }
    }
    return best;
  }

  /** Whether the admission judges this request's nodes (then its targets come from allowedTarget). */
  private regulated(task: PlacedTask): boolean {
    return this.limits.admission?.restricts(task.request) ?? false;
  }

  /** As targetAfter, by a scan of the cloud nodes the request may run on. */
  private allowedTarget(task: PlacedTask): NodeState | undefined {
    const admission = this.limits.admission!;
    const need = this.entry(task).need;
    let best: NodeState | undefined;
    let bestUsage = -1;
    for (const to of this.state.nodes.values()) {
      if (to.tier !== "cloud") continue;
      const share = need(to.netDelayMs);
      const i = this.landedOn.indexOf(to);
      const used = to.usedMilli + (i < 0 ? 0 : this.landedMilli[i]!);
      if (share < 0 || used + share > to.capMilli) continue;
      const u = used / to.capMilli;
      if (best && (u < bestUsage || (u === bestUsage && byName(to.name, best.name) > 0))) continue;
      if (admission.refuse(task.request, to.spec) !== undefined) continue;
      best = to;
      bestUsage = u;
    }
    return best;
  }

  /** The request's class, with this decision's answers about the cloud (computed on first use). */
  private entry(task: PlacedTask): MoveClass<NodeState> {
    return this.fresh(task.moveClass!);
  }

  /** The class with this decision's answers about the cloud (computed on first use). */
  private fresh(c: MoveClass<NodeState>): MoveClass<NodeState> {
    if (c.stamp !== this.stamp) {
      c.stamp = this.stamp;
      // Over every node's delay, not only the cloud's: a bound is all it needs to be.
      let maxShare = 0;
      for (const d of this.state.netDelays.keys()) maxShare = Math.max(maxShare, c.need(d));
      c.maxShare = maxShare;
      c.room = this.state.finder.mostRoomAfter("cloud", c.need);
      c.targets = undefined;
    }
    return c;
  }

  /** The class's most used fitting cloud nodes as the cloud is (asked once per class and decision). */
  private targets(e: MoveClass<NodeState>): NodeState[] {
    if (e.targets === undefined) {
      e.targets = [];
      e.allTargets = this.state.finder.mostUsedFits("cloud", e.need, TOP_TARGETS, e.targets);
    }
    return e.targets;
  }
}
