// What rule 3 needs to know about running edge requests, kept up to date on
// every change so a decision never scans them: each edge node's movable
// requests in move order (a plain array: a decision walks the first few of
// many nodes, and an array walk costs no allocation), each request's class
// (move-class.ts), and each node's pinned load (requests no cloud node could
// ever take, because of their budget and the cloud's delays and sizes); edge
// nodes are grouped by kind (delay, size) and ordered by pinned load.
import { MoveClasses } from "./move-class.js";
import { byName, type NodeState, type PlacedTask } from "./node-state.js";
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
}

const kindKey = (n: NodeState) => `${n.netDelayMs}|${n.capMilli}`;
const byPinnedThenName = (a: NodeState, b: NodeState) => a.pinnedMilli - b.pinnedMilli || byName(a.name, b.name);

export class MoveIndex {
  readonly edgeKinds = new Map<string, EdgeKind>();
  private readonly classes = new MoveClasses<NodeState>();
  private readonly cloudKinds = new Map<string, Kind & { count: number }>();
  /** Cloud kinds by network delay, ascending. */
  private cloudByDelay: Kind[] = [];

  nodeAdded(node: NodeState): void {
    if (node.tier === "edge") {
      node.edgeTasks = new Set();
      node.movableTasks = [];
      const kind = this.edgeKindOf(node, true);
      kind.byPinned.insert(node);
      kind.nodes.push(node);
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
    if (kind.byPinned.size === 0) this.edgeKinds.delete(kindKey(node));
  }

  /** A request now runs on an edge node (task.node and task.shareMilli set). */
  enter(task: PlacedTask): void {
    task.node.edgeTasks!.add(task);
    task.moveClass = this.classes.enter(task.model, task.request.delayBudgetMs);
    task.movable = this.canEverMove(task);
    if (task.movable) insertInMoveOrder(task.node.movableTasks!, task);
    else this.pin(task.node, task.shareMilli);
  }

  /** A request leaves its edge node (before task.node changes). */
  leave(task: PlacedTask): void {
    task.node.edgeTasks!.delete(task);
    this.classes.leave(task.moveClass!);
    task.moveClass = undefined;
    if (task.movable) removeInMoveOrder(task.node.movableTasks!, task);
    else this.pin(task.node, -task.shareMilli);
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
      kind = { netDelayMs: node.netDelayMs, capMilli: node.capMilli, byPinned: new OrderedSet(byPinnedThenName), nodes: [] };
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

function insertInMoveOrder(tasks: PlacedTask[], task: PlacedTask): void {
  tasks.splice(lowerBound(tasks, task), 0, task);
}

function removeInMoveOrder(tasks: PlacedTask[], task: PlacedTask): void {
  const i = lowerBound(tasks, task);
  if (tasks[i] !== task) throw new Error(`request '${task.request.id}' is not indexed on '${task.node.name}'`);
  tasks.splice(i, 1);
}
