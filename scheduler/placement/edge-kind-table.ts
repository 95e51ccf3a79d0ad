// Rule 3's summaries of one kind of edge node (same network delay and size, so a
// new request needs the same share on each), kept side by side in flat typed
// arrays, one slot per node. A decision reads every candidate's load, pinned
// load, first requests and largest shares from a few contiguous arrays instead
// of several objects per node: the scan over ~700 candidates that rule 3 makes
// costs cache lines read in order, not a miss per field (docs/placement.md).
import type { MoveClass } from "./move-class.js";
import { LEADS, type NodeState, type PlacedTask, TOP_SHARES } from "./node-state.js";

type Class = MoveClass<NodeState>;

export class EdgeKindTable {
  /** Nodes by slot (a node's slot is `node.kindSlot`). */
  readonly nodes: NodeState[] = [];
  private capacity = 16;
  used = new Int32Array(this.capacity);
  pinned = new Int32Array(this.capacity);
  /** Slot s's first movable requests in move order: shares and classes at s * LEADS + j, j < leadLen[s]. */
  lead = new Int32Array(this.capacity * LEADS);
  leadClass: (Class | undefined)[] = new Array(this.capacity * LEADS).fill(undefined);
  leadLen = new Uint8Array(this.capacity);
  /** The latest time one of the first requests was placed or moved (NaN: none has a time). */
  leadSince = new Float64Array(this.capacity);
  /**
   * Slot s's first movable request's place in move order (priority, +Infinity for none; budget;
   * placement order): every move the node makes is at or after it, so a node whose first request
   * is more important than the best try's first move can only win with fewer moves.
   */
  headPriority = new Float64Array(this.capacity);
  headBudget = new Float64Array(this.capacity);
  headSeq = new Float64Array(this.capacity);
  /** Slot s's largest movable shares, descending, at s * TOP_SHARES + j, j < topLen[s]. */
  top = new Int32Array(this.capacity * TOP_SHARES);
  topLen = new Uint8Array(this.capacity);

  constructor(
    readonly netDelayMs: number,
    readonly capMilli: number,
  ) {}

  get size(): number {
    return this.nodes.length;
  }

  add(node: NodeState): void {
    if (this.nodes.length === this.capacity) this.grow();
    node.kindSlot = this.nodes.length;
    this.nodes.push(node);
    this.refresh(node);
  }

  /** The last node takes the freed slot. */
  remove(node: NodeState): void {
    const slot = node.kindSlot!;
    const last = this.nodes.pop()!;
    node.kindSlot = undefined;
    if (last === node) return;
    this.nodes[slot] = last;
    last.kindSlot = slot;
    this.refresh(last);
  }

  /** The node's load changed. */
  loadChanged(node: NodeState): void {
    this.used[node.kindSlot!] = node.usedMilli;
  }

  /** Its pinned load, first requests or largest shares changed (or all of it: a new slot). */
  refresh(node: NodeState): void {
    const s = node.kindSlot!;
    this.used[s] = node.usedMilli;
    this.pinned[s] = node.pinnedMilli;
    this.setLeads(node);
    const top = node.topShares!;
    for (let j = 0; j < top.length; j++) this.top[s * TOP_SHARES + j] = top[j]!;
    this.topLen[s] = top.length;
  }

  setLeads(node: NodeState): void {
    const s = node.kindSlot!;
    const tasks: readonly PlacedTask[] = node.movableTasks!;
    const n = Math.min(tasks.length, LEADS);
    let since = Number.NaN;
    for (let j = 0; j < n; j++) {
      const t = tasks[j]!;
      this.lead[s * LEADS + j] = t.shareMilli;
      this.leadClass[s * LEADS + j] = t.moveClass;
      if (t.sinceSec !== undefined && !(t.sinceSec <= since)) since = t.sinceSec;
    }
    // Drop references to classes no longer led by this node.
    for (let j = n; j < LEADS; j++) this.leadClass[s * LEADS + j] = undefined;
    this.leadLen[s] = n;
    this.leadSince[s] = since;
    const head = tasks[0];
    this.headPriority[s] = head?.request.priority ?? Number.POSITIVE_INFINITY;
    this.headBudget[s] = head?.request.delayBudgetMs ?? 0;
    this.headSeq[s] = head?.seq ?? Number.POSITIVE_INFINITY;
  }

  /** Whether slot s's first movable request comes after `task` in move order (is more important). */
  headAfter(s: number, task: PlacedTask): boolean {
    const p = this.headPriority[s]!;
    const q = task.request.priority ?? Number.POSITIVE_INFINITY;
    if (p !== q) return p > q;
    const b = this.headBudget[s]!;
    if (b !== task.request.delayBudgetMs) return b < task.request.delayBudgetMs;
    return this.headSeq[s]! > task.seq;
  }

  private grow(): void {
    const c = this.capacity * 2;
    this.used = resized(this.used, c);
    this.pinned = resized(this.pinned, c);
    this.lead = resized(this.lead, c * LEADS);
    this.leadClass.length = c * LEADS;
    this.leadClass.fill(undefined, this.capacity * LEADS);
    this.leadLen = resized(this.leadLen, c);
    this.leadSince = resized(this.leadSince, c);
    this.headPriority = resized(this.headPriority, c);
    this.headBudget = resized(this.headBudget, c);
    this.headSeq = resized(this.headSeq, c);
    this.top = resized(this.top, c * TOP_SHARES);
    this.topLen = resized(this.topLen, c);
    this.capacity = c;
  }
}

function resized<A extends Int32Array | Uint8Array | Float64Array>(a: A, length: number): A {
  const b = new (a.constructor as new (n: number) => A)(length);
  b.set(a);
  return b;
}
