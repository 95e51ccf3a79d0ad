// A sorted set (treap) with O(log n) expected insert, delete and
// "first element satisfying a monotone predicate". The capacity index and
// the move planner keep nodes and requests in it, so a decision never scans.

interface TreapNode<T> {
  value: T;
  prio: number;
  left: TreapNode<T> | null;
  right: TreapNode<T> | null;
}

export class OrderedSet<T> {
  private root: TreapNode<T> | null = null;
  private count = 0;
  // Deterministic heap priorities (xorshift32), so runs are reproducible.
  private rand = 0x9e3779b9;
  /** collectFrom's walk, reused. */
  private readonly stack: TreapNode<T>[] = [];

  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.count;
  }

  insert(value: T): void {
    const node: TreapNode<T> = { value, prio: this.nextPrio(), left: null, right: null };
    const [lo, hi] = this.split(this.root, value);
    this.root = this.merge(this.merge(lo, node), hi);
    this.count++;
  }

  /** Removes the element equal (compare === 0) to `value`; false when absent. */
  delete(value: T): boolean {
    let parent: TreapNode<T> | null = null;
    let cur = this.root;
    while (cur) {
      const c = this.compare(value, cur.value);
      if (c === 0) break;
      parent = cur;
      cur = c < 0 ? cur.left : cur.right;
    }
    if (!cur) return false;
    const joined = this.merge(cur.left, cur.right);
    if (!parent) this.root = joined;
    else if (parent.left === cur) parent.left = joined;
    else parent.right = joined;
    this.count--;
    return true;
  }

  /** First element in order for which `pred` holds; `pred` must be false...false,true...true in order. */
  firstWhere(pred: (value: T) => boolean): T | undefined {
    let cur = this.root;
    let found: T | undefined;
    while (cur) {
      if (pred(cur.value)) {
        found = cur.value;
        cur = cur.left;
      } else cur = cur.right;
    }
    return found;
  }

  /** First element not before `probe` in order (compare(el, probe) >= 0); `probe` need not be in the set. */
  lowerBound(probe: T): T | undefined {
    let cur = this.root;
    let found: T | undefined;
    while (cur) {
      if (this.compare(cur.value, probe) >= 0) {
        found = cur.value;
        cur = cur.left;
      } else cur = cur.right;
    }
    return found;
  }

  /** Appends to `out` the elements not before `probe`, in order, at most `atMost` of them. */
  collectFrom(probe: T, atMost: number, out: T[]): void {
    const stack = this.stack;
    stack.length = 0;
    let cur = this.root;
    // Descend to the lower bound, keeping the nodes at or after it whose right sides follow them.
    while (cur) {
      if (this.compare(cur.value, probe) >= 0) {
        stack.push(cur);
        cur = cur.left;
      } else cur = cur.right;
    }
    for (let n = 0; n < atMost && stack.length > 0; n++) {
      const top = stack.pop()!;
      out.push(top.value);
      cur = top.right;
      while (cur) {
        stack.push(cur);
        cur = cur.left;
      }
    }
  }

  /** First element strictly after `value` in order (which need not be in the set). */
  after(value: T): T | undefined {
    return this.firstWhere((v) => this.compare(v, value) > 0);
  }

  first(): T | undefined {
    let cur = this.root;
    if (!cur) return undefined;
    while (cur.left) cur = cur.left;
    return cur.value;
  }

  last(): T | undefined {
    let cur = this.root;
    if (!cur) return undefined;
    while (cur.right) cur = cur.right;
    return cur.value;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    const stack: TreapNode<T>[] = [];
    let cur = this.root;
    while (cur || stack.length > 0) {
      while (cur) {
        stack.push(cur);
        cur = cur.left;
      }
      const top = stack.pop()!;
      yield top.value;
      cur = top.right;
    }
  }

  /** Splits into (elements < value, elements >= value). */
  private split(node: TreapNode<T> | null, value: T): [TreapNode<T> | null, TreapNode<T> | null] {
    if (!node) return [null, null];
    if (this.compare(node.value, value) < 0) {
      const [lo, hi] = this.split(node.right, value);
      node.right = lo;
      return [node, hi];
    }
    const [lo, hi] = this.split(node.left, value);
    node.left = hi;
    return [lo, node];
  }

  private merge(a: TreapNode<T> | null, b: TreapNode<T> | null): TreapNode<T> | null {
    if (!a) return b;
    if (!b) return a;
    if (a.prio > b.prio) {
      a.right = this.merge(a.right, b);
      return a;
    }
    b.left = this.merge(a, b.left);
    return b;
  }

  private nextPrio(): number {
    let x = this.rand;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rand = x >>> 0;
    return this.rand;
  }
}
