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
import type { ClusterState } from "./cluster-state.js";
import type { MoveClass } from "./move-class.js";
import { moveOrder } from "./move-index.js";
import type { EdgeKindTable } from "./edge-kind-table.js";
import { byName, LEADS, type NodeState, type PlacedTask, TOP_SHARES } from "./node-state.js";
import { mostUsedFirst } from "./plugins/most-used.js";
import { lateRequests } from "./downtime.js";
import { type NeedAt, toCores } from "./share.js";
import type { Migration, MoveLimits } from "./types.js";

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
export function planMoves(state: ClusterState, need: NeedAt, limits: MoveLimits): Migration[] | string {
  if (!state.moves.edgeCouldFitAfterMoves(need)) return "";
  const { request, admission } = limits;
  const allowed = request && admission?.restricts(request) ? (n: NodeState) => admission.refuse(request, n.spec) === undefined : undefined;
  // The candidate nodes by how many moves they would need if every request moved as it came
  // (the usual case), so a small best count is found first and cuts the other tries short.
  // Read from each kind's flat summaries (edge-kind-table.ts): no node object is visited here.
  for (const b of buckets) b.clear();
  for (const kind of state.moves.edgeKinds.values()) {
    const m = need(kind.netDelayMs);
    if (m < 0 || m > kind.capMilli) continue;
    const t = kind.table;
    const limit = t.capMilli - m;
    const { pinned, used, lead, leadLen } = t;
    for (let s = 0; s < t.size; s++) {
      // Even with every movable request gone it could not take the request.
      if (pinned[s]! > limit) continue;
      if (allowed && !allowed(t.nodes[s]!)) continue;
      const deficit = used[s]! - limit;
      // likelyMoves: how many of its first requests free the deficit (LEADS + 1: more).
      let k = 0;
      for (let sum = 0, base = s * LEADS, n = leadLen[s]!; k < n; k++) {
        sum += lead[base + k]!;
        if (sum >= deficit) break;
      }
      buckets[k]!.push(t, s, deficit);
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
  later.clear();
  for (const b of buckets) {
    for (let i = 0; i < b.size; i++) {
      const c = trial.count(b.tables[i]!, b.slots[i]!, b.deficits[i]!, best, best === undefined);
      if (c === LATER) later.push(b.tables[i]!, b.slots[i]!, b.deficits[i]!);
      else if (c && (!best || better(c, best) < 0)) best = c;
    }
  }
  for (let i = 0; i < later.size; i++) {
    const c = trial.count(later.tables[i]!, later.slots[i]!, later.deficits[i]!, best, true);
    if (c && c !== LATER && (!best || better(c, best) < 0)) best = c;
  }
  return best;
}

/** Candidate nodes (kind table and slot) with their deficits; reused by every decision, so it allocates nothing. */
class Candidates {
  readonly tables: EdgeKindTable[] = [];
  readonly slots: number[] = [];
  readonly deficits: number[] = [];
  size = 0;
  clear(): void {
    this.size = 0;
  }
  push(t: EdgeKindTable, slot: number, deficit: number): void {
    const i = this.size++;
    this.tables[i] = t;
    this.slots[i] = slot;
    this.deficits[i] = deficit;
  }
}

/** Candidates by how many of their first requests in move order free the deficit: bucket k-1 holds those for k (LEADS: more). */
const buckets: Candidates[] = Array.from({ length: LEADS + 1 }, () => new Candidates());
const later = new Candidates();

/**
 * Negative when `a` frees its node better than `b`: fewer moves, then less important moved
 * requests (two nodes never move the same requests, so their first moves decide), then the
 * more used node, then the name.
 */
function better(a: Count, b: Count): number {
  return a.moves - b.moves || moveOrder(a.first, b.first) || mostUsedFirst.compare(a.node, b.node);
}

/** Whether the slot's `moves` largest movable shares (moves <= TOP_SHARES) add up to `deficit`: fewer moves never free it. */
function couldFreeWithin(t: EdgeKindTable, s: number, deficit: number, moves: number): boolean {
  const n = Math.min(moves, t.topLen[s]!);
  let sum = 0;
  for (let i = 0, base = s * TOP_SHARES; i < n; i++) sum += t.top[base + i]!;
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
  /** couldStillFree's largest shares, reused. */
  private readonly topScratch: number[] = [];

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
  count(t: EdgeKindTable, s: number, deficit: number, best: Count | undefined, exact: boolean): Count | typeof LATER | undefined {
    let atMost = best ? best.moves : Number.POSITIVE_INFINITY;
    // Its first move is at or after its first request in move order: when that is more
    // important than the best's first move, only fewer moves than the best win.
    const headLater = best !== undefined && t.headAfter(s, best.first);
    if (headLater && --atMost === 0) return undefined;
    if (atMost <= TOP_SHARES && !couldFreeWithin(t, s, deficit, atMost)) return undefined;
    const settled = this.leadCount(t, s, deficit, best);
    if (settled !== UNSETTLED) return settled;
    const node = t.nodes[s]!;
    if (!best && !this.couldEverFree(node, deficit)) return undefined;
    let moves = 0;
    let first = -1;
    let freed = 0;
    // The most the moves so far can have added to any one cloud node.
    let landed = 0;
    const tasks = node.movableTasks!;
    const shares = node.movableShares!;
    const classes = node.movableClasses!;
    // Only then are the requests themselves read (for their ages, ids, rates or regulations).
    const readTasks = this.mayHold || this.spareLate || this.limits.admission !== undefined;
    for (let i = 0; i < shares.length && freed < deficit; i++) {
      if (readTasks && this.heldBack(tasks[i]!)) continue;
      if (moves >= atMost) return undefined;
      const e = this.fresh(classes[i]!);
      if (e.room < 0) continue; // no cloud node fits it now, so none will during this try
      if ((e.room < landed && !this.untouchedFits(e, moves)) || (readTasks && this.regulated(tasks[i]!))) {
        // The try move by move makes the same moves up to here; the rest of the deficit must come
        // from at most atMost - moves of the requests from here on.
        if (!this.couldStillFree(node, i, atMost - moves, deficit - freed)) return undefined;
        return exact ? this.movesFor(node, deficit, best) : LATER;
      }
      moves++;
      freed += shares[i]!;
      landed += e.maxShare;
      if (first < 0) {
        first = i;
        // Equal counts go to the less important first move: once ours is the more important, only fewer moves win.
        if (!headLater && best && moveOrder(tasks[i]!, best.first) > 0) atMost--;
      }
    }
    return freed >= deficit && first >= 0 ? { node, deficit, moves, first: tasks[first]! } : undefined;
  }

  /**
   * count() from the node's lead requests alone (their shares and classes, kept by the move
   * index), when none of them is held back, skipped or unsure of a target and they free the
   * deficit or exceed `best`; UNSETTLED otherwise (then the requests are walked). The same
   * steps as count's walk, on the same values, without visiting the requests.
   */
  private leadCount(t: EdgeKindTable, s: number, deficit: number, best: Count | undefined): Count | undefined | typeof UNSETTLED {
    if (deficit <= 0 || this.unsettledLeads(t, s)) return UNSETTLED;
    const base = s * LEADS;
    const n = t.leadLen[s]!;
    const most = best ? best.moves : Number.POSITIVE_INFINITY;
    let moves = 0;
    let first = -1;
    let freed = 0;
    let landed = 0;
    for (let j = 0; j < n; j++) {
      if (moves >= most) return undefined;
      const e = this.fresh(t.leadClass[base + j]!);
      if (e.room < 0) continue; // as in count: no cloud node fits it, it is not moved
      if (e.room < landed && !this.untouchedFits(e, moves)) return UNSETTLED;
      // Migration-aware admission's first search: a late-making lead is left out, which the walk does.
      if (this.spareLate && this.wouldMakeLate(t.nodes[s]!.movableTasks![j]!)) return UNSETTLED;
      moves++;
      freed += t.lead[base + j]!;
      landed += e.maxShare;
      if (first < 0) first = j;
      if (freed >= deficit) {
        const node = t.nodes[s]!;
        const task = node.movableTasks![first]!;
        // As in count: with the more important first move, only fewer moves than the best win.
        if (best && moves === best.moves && moveOrder(task, best.first) > 0) return undefined;
        return { node, deficit, moves, first: task };
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

  /**
   * Whether `moves` of the node's movable requests from index `from` on, of classes some cloud
   * node fits now, can add up to `deficit` (their largest shares); always true for unbounded moves.
   */
  private couldStillFree(node: NodeState, from: number, moves: number, deficit: number): boolean {
    if (moves > TOP_SHARES) return true;
    const shares = node.movableShares!;
    const classes = node.movableClasses!;
    const top = this.topScratch;
    top.length = 0;
    for (let j = from; j < shares.length; j++) {
      const sh = shares[j]!;
      if (top.length === moves && sh <= top[moves - 1]!) continue;
      if (this.fresh(classes[j]!).room < 0) continue;
      let k = top.length < moves ? top.length : moves - 1;
      while (k > 0 && top[k - 1]! < sh) {
        top[k] = top[k - 1]!;
        k--;
      }
      top[k] = sh;
    }
    let sum = 0;
    for (const sh of top) sum += sh;
    return sum >= deficit;
  }

  /** Whether a lead request of the slot's node may be held back, or regulated (then its targets come from a scan). */
  private unsettledLeads(t: EdgeKindTable, s: number): boolean {
    const { atSec, minResidenceSec, admission } = this.limits;
    if (admission !== undefined) return true;
    // leadSince is NaN when no lead has a time: the comparison is then false.
    if (atSec !== undefined && atSec - t.leadSince[s]! < minResidenceSec) return true;
    return this.migratingOn?.has(t.nodes[s]!) ?? false;
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
    let first = -1;
    let freed = 0;
    const tasks = node.movableTasks!;
    const shares = node.movableShares!;
    const classes = node.movableClasses!;
    const readTasks = this.mayHold || this.spareLate || this.limits.admission !== undefined;
    for (let i = 0; i < shares.length; i++) {
      if (freed >= deficit) break;
      if (readTasks && this.heldBack(tasks[i]!)) continue;
      if (moves >= atMost) return undefined;
      const e = this.fresh(classes[i]!);
      const to = readTasks && this.regulated(tasks[i]!) ? this.allowedTarget(tasks[i]!) : this.targetAfter(e);
      if (!to) continue;
      const shareMilli = e.need(to.netDelayMs);
      out?.push({ task: tasks[i]!, to, shareMilli });
      this.land(to, shareMilli);
      freed += shares[i]!;
      moves++;
      if (first < 0) {
        first = i;
        if (best && moveOrder(tasks[i]!, best.first) > 0) atMost--;
      }
    }
    return freed >= deficit && first >= 0 ? { node, deficit, moves, first: tasks[first]! } : undefined;
  }

  /**
   * The note for a miss: which movable requests on the candidate nodes the limits held back.
   * Tries cut short by bounds did not visit them all, so they are counted here.
   */
  whyNot(candidates: readonly Candidates[]): string {
    if (this.mayHold) {
      for (const b of candidates) for (let i = 0; i < b.size; i++) for (const t of b.tables[i]!.nodes[b.slots[i]!]!.movableTasks!) this.heldBack(t);
    }
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
    return cost !== undefined && makesLate(task, cost.frozenMs);
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
   * The most used cloud node that fits a request of the class (fresh) once the try's moves so
   * far are made. Only the nodes they went to have changed: the answer is the best of those
   * (their new loads counted) and the best of the others, the first of the class's targets
   * that no move went to.
   */
  private targetAfter(e: MoveClass<NodeState>): NodeState | undefined {
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

/**
 * Whether moving the placed request, frozen `frozenMs`, would make some of its requests late.
 * Remembered on the request until the frozen time, its share or its node changes: rule 3's
 * first search asks it of many requests per decision, and the answer costs a latency model.
 */
function makesLate(task: PlacedTask, frozenMs: number): boolean {
  const c = task.late;
  if (c !== undefined && c.frozenMs === frozenMs && c.shareMilli === task.shareMilli && c.node === task.node) return c.late;
  const late = lateRequests(task.request, task.model, task.shareMilli, task.node.netDelayMs, frozenMs) > 0;
  task.late = { frozenMs, shareMilli: task.shareMilli, node: task.node, late };
  return late;
}
