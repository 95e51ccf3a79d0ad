// What rule 3 needs to know about running edge requests, kept up to date on
// every change so a decision never scans them: each edge node's movable
// requests in move order (a plain array: a decision walks the first few of
// many nodes, and an array walk costs no allocation), each request's class
// (move-class.ts), and each node's pinned load (requests no cloud node could
// ever take, because of their budget and the cloud's delays and sizes); edge
// nodes are grouped by kind (delay, size) and ordered by pinned load.
import { EdgeKindTable } from "./edge-kind-table.js";
import { type MoveClass, MoveClasses } from "./move-class.js";
import { byName, LEADS, type NodeState, type PlacedTask, TOP_SHARES } from "./node-state.js";
import { OrderedSet } from "./ordered-set.js";
import { needMilli } from "./share.js";

/**
 * Move order (rule 3): explicit priority ascending, requests without a priority
 * last; then the longest delay budget first; then the earliest placed.
 */
export function moveOrder(a: PlacedTask, b: PlacedTask): number {
  const pa = a.request.priority;
  const pb = b.request.priority;
  if (pa !== pb) {
    if (pa === undefined) return 1;
    if (pb === undefined) return -1;
    return pa - pb;
  }
  return b.request.delayBudgetMs - a.request.delayBudgetMs || a.seq - b.seq;
}

interface Kind {
  netDelayMs: number;
  capMilli: number;
}

export interface EdgeKind extends Kind {
  /** Its nodes ordered by pinned load, then name. */
  byPinned: OrderedSet<NodeState>;
  /** Its nodes, in no particular order (for walks). */
  nodes: NodeState[];
  /** Its nodes' summaries as flat arrays (rule 3's scan). */
  table: EdgeKindTable;
}

const kindKey = (n: NodeState) => `${n.netDelayMs}|${n.capMilli}`;
const byPinnedThenName = (a: NodeState, b: NodeState) => a.pinnedMilli - b.pinnedMilli || byName(a.name, b.name);

export class MoveIndex {
  readonly edgeKinds = new Map<string, EdgeKind>();
  private readonly classes = new MoveClasses<NodeState>();
  /** Each edge node's kind table (a node record does not name it: node-state.ts imports no summaries). */
  private readonly tables = new Map<NodeState, EdgeKindTable>();
  private readonly cloudKinds = new Map<string, Kind & { count: number }>();
  /** Cloud kinds by network delay, ascending. */
  private cloudByDelay: Kind[] = [];

  nodeAdded(node: NodeState): void {
    if (node.tier === "edge") {
      node.edgeTasks = new Set();
      node.movableTasks = [];
      node.movableShares = [];
      node.movableClasses = [];
      node.topShares = [];
      node.leadShares = [];
      node.leadClasses = [];
      node.classes = [];
      node.classShares = [];
      node.classCounts = [];
      const kind = this.edgeKindOf(node, true);
      kind.byPinned.insert(node);
      kind.nodes.push(node);
      kind.table.add(node);
      this.tables.set(node, kind.table);
    } else this.countCloudKind(node, 1);
  }

  /** Only for nodes without requests. */
  nodeRemoved(node: NodeState): void {
    if (node.tier === "cloud") {
      this.countCloudKind(node, -1);
      return;
    }
    const kind = this.edgeKindOf(node, false);
    kind.byPinned.delete(node);
    kind.nodes.splice(kind.nodes.indexOf(node), 1);
    kind.table.remove(node);
    this.tables.delete(node);
    if (kind.byPinned.size === 0) this.edgeKinds.delete(kindKey(node));
  }

  /** A request now runs on an edge node (task.node and task.shareMilli set). */
  enter(task: PlacedTask): void {
    task.node.edgeTasks!.add(task);
    task.moveClass = this.classes.enter(task.model, task.request.delayBudgetMs);
    task.movable = this.canEverMove(task);
    if (task.movable) {
      if (insertInMoveOrder(task.node, task) < LEADS) setLeads(task.node);
      addTopShare(task.node.topShares!, task.shareMilli);
      addClassShare(task.node, task.moveClass, task.shareMilli, 1);
    } else this.pin(task.node, task.shareMilli);
    this.tables.get(task.node)!.refresh(task.node);
  }

  /** A request leaves its edge node (before task.node changes). */
  leave(task: PlacedTask): void {
    task.node.edgeTasks!.delete(task);
    if (task.movable) {
      if (removeInMoveOrder(task.node, task) < LEADS) setLeads(task.node);
      removeTopShare(task.node, task.shareMilli);
      addClassShare(task.node, task.moveClass!, -task.shareMilli, -1);
    } else this.pin(task.node, -task.shareMilli);
    this.tables.get(task.node)!.refresh(task.node);
    this.classes.leave(task.moveClass!);
    task.moveClass = undefined;
  }

  /** An edge node's load changed (the state tells the index after every change). */
  loadChanged(node: NodeState): void {
    this.tables.get(node)?.loadChanged(node);
  }

  /**
   * False when no edge node could take a request needing `need` even after every
   * movable request left it: then no sequence of moves can make room.
   */
  edgeCouldFitAfterMoves(need: (netDelayMs: number) => number): boolean {
    for (const kind of this.edgeKinds.values()) {
      const m = need(kind.netDelayMs);
      const least = kind.byPinned.first();
      if (least && m >= 0 && least.pinnedMilli + m <= kind.capMilli) return true;
    }
    return false;
  }

  /** The shortest network delay of a cloud node (Infinity: no cloud node). */
  get minCloudDelayMs(): number {
    return this.cloudByDelay[0]?.netDelayMs ?? Number.POSITIVE_INFINITY;
  }

  /** Every edge request in move order (for tests and views). */
  inMoveOrder(): PlacedTask[] {
    const all: PlacedTask[] = [];
    for (const kind of this.edgeKinds.values()) for (const n of kind.byPinned) all.push(...n.edgeTasks!);
    return all.sort(moveOrder);
  }

  /** Some cloud node, if it were empty, could run the request within its budget. */
  private canEverMove(task: PlacedTask): boolean {
    for (const k of this.cloudByDelay) {
      const m = needMilli(task.model, task.request.delayBudgetMs, k.netDelayMs);
      // The need only grows with the delay: infeasible here means infeasible further on.
      if (m < 0) return false;
      if (m <= k.capMilli) return true;
    }
    return false;
  }

  private pin(node: NodeState, deltaMilli: number): void {
    const kind = this.edgeKindOf(node, false);
    kind.byPinned.delete(node);
    node.pinnedMilli += deltaMilli;
    kind.byPinned.insert(node);
  }

  private edgeKindOf(node: NodeState, create: boolean): EdgeKind {
    const key = kindKey(node);
    let kind = this.edgeKinds.get(key);
    if (!kind) {
      if (!create) throw new Error(`edge node '${node.name}' is not indexed`);
      kind = {
        netDelayMs: node.netDelayMs,
        capMilli: node.capMilli,
        byPinned: new OrderedSet(byPinnedThenName),
        nodes: [],
        table: new EdgeKindTable(node.netDelayMs, node.capMilli),
      };
      this.edgeKinds.set(key, kind);
    }
    return kind;
  }

  /** The set of cloud kinds decides which edge requests are movable: re-derive pins when it changes. */
  private countCloudKind(node: NodeState, delta: number): void {
    const key = kindKey(node);
    const kind = this.cloudKinds.get(key);
    const count = (kind?.count ?? 0) + delta;
    if (count > 0 && kind) {
      kind.count = count;
      return;
    }
    if (count > 0) this.cloudKinds.set(key, { netDelayMs: node.netDelayMs, capMilli: node.capMilli, count });
    else this.cloudKinds.delete(key);
    this.cloudByDelay = [...this.cloudKinds.values()].sort((a, b) => a.netDelayMs - b.netDelayMs);
    for (const edge of this.edgeKinds.values()) {
      for (const node of edge.nodes) {
        for (const task of node.edgeTasks!) {
          const movable = this.canEverMove(task);
          if (movable !== task.movable) this.pin(task.node, movable ? -task.shareMilli : task.shareMilli);
          task.movable = movable;
        }
        node.movableTasks = [...node.edgeTasks!].filter((t) => t.movable).sort(moveOrder);
        node.movableShares = node.movableTasks.map((t) => t.shareMilli);
        node.movableClasses = node.movableTasks.map((t) => t.moveClass!);
        node.topShares = topSharesOf(node.movableTasks);
        setLeads(node);
        node.classes = [];
        node.classShares = [];
        node.classCounts = [];
        for (const t of node.movableTasks) addClassShare(node, t.moveClass!, t.shareMilli, 1);
        edge.table.refresh(node);
      }
    }
  }
}

/** Index of the first element not before `task` in move order. */
function lowerBound(tasks: readonly PlacedTask[], task: PlacedTask): number {
  let lo = 0;
  let hi = tasks.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (moveOrder(tasks[mid]!, task) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Into the node's movable requests (and their shares and classes); returns where it went. */
function insertInMoveOrder(node: NodeState, task: PlacedTask): number {
  const i = lowerBound(node.movableTasks!, task);
  node.movableTasks!.splice(i, 0, task);
  node.movableShares!.splice(i, 0, task.shareMilli);
  node.movableClasses!.splice(i, 0, task.moveClass!);
  return i;
}

/** Returns where it was. */
function removeInMoveOrder(node: NodeState, task: PlacedTask): number {
  const tasks = node.movableTasks!;
  const i = lowerBound(tasks, task);
  if (tasks[i] !== task) throw new Error(`request '${task.request.id}' is not indexed on '${task.node.name}'`);
  tasks.splice(i, 1);
  node.movableShares!.splice(i, 1);
  node.movableClasses!.splice(i, 1);
  return i;
}

/** The node's first LEADS movable requests, as the planner reads them without visiting them. */
function setLeads(node: NodeState): void {
  const tasks = node.movableTasks!;
  const shares: number[] = [];
  const classes: MoveClass<NodeState>[] = [];
  let since: number | undefined;
  for (let i = 0; i < tasks.length && i < LEADS; i++) {
    const t = tasks[i]!;
    shares.push(t.shareMilli);
    classes.push(t.moveClass!);
    if (t.sinceSec !== undefined && (since === undefined || t.sinceSec > since)) since = t.sinceSec;
  }
  node.leadShares = shares;
  node.leadClasses = classes;
  node.leadSinceSec = since;
}

/** The TOP_SHARES largest shares of `tasks`, descending. */
function topSharesOf(tasks: readonly PlacedTask[]): number[] {
  const top: number[] = [];
  for (const t of tasks) addTopShare(top, t.shareMilli);
  return top;
}

function addTopShare(top: number[], share: number): void {
  if (top.length === TOP_SHARES && share <= top[TOP_SHARES - 1]!) return;
  let i = top.length < TOP_SHARES ? top.length : TOP_SHARES - 1;
  // Shift the smaller ones down (the last falls off when full).
  while (i > 0 && top[i - 1]! < share) {
    top[i] = top[i - 1]!;
    i--;
  }
  top[i] = share;
}

/** A movable request left: when its share was among the top ones, recount them from the rest. */
function removeTopShare(node: NodeState, share: number): void {
  const top = node.topShares!;
  if (top.length > 0 && share >= top[top.length - 1]!) node.topShares = topSharesOf(node.movableTasks!);
}

/** Counts a movable request's share in (or, negative, out of) its node's per-class sums; a class with no request left goes. */
function addClassShare(node: NodeState, c: MoveClass<NodeState>, deltaMilli: number, deltaCount: 1 | -1): void {
  const classes = node.classes!;
  const shares = node.classShares!;
  const i = classes.indexOf(c);
  if (i < 0) {
    classes.push(c);
    shares.push(deltaMilli);
    node.classCounts!.push(deltaCount);
    return;
  }
  shares[i]! += deltaMilli;
  node.classCounts![i]! += deltaCount;
  if (node.classCounts![i] === 0) {
    const last = classes.length - 1;
    classes[i] = classes[last]!;
    shares[i] = shares[last]!;
    node.classCounts![i] = node.classCounts![last]!;
    classes.pop();
    shares.pop();
    node.classCounts!.pop();
  }
}
