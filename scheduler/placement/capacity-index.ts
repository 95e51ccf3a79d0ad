// Finding the best fitting node without scanning every node. Nodes are grouped
// by (tier, netDelayMs, capacity): inside a group the required share is the same
// and usage is monotone in used millicores, so a sorted set ordered by
// (used desc, name) answers "most used node with room" as one O(log n) descent.
// A decision costs O(groups x log n); groups are few (distinct delays x sizes).
import { byName, type NodeState } from "./node-state.js";
import { OrderedSet } from "./ordered-set.js";
import {
  capacityFilter,
  leastUsedFirst,
  mostUsedFirst,
  type NeedAt,
  type Score,
  scanBest,
  tierFilter,
} from "./plugins.js";
import type { Tier } from "./types.js";

/** Answers best-fit queries; told about every node and every load change. */
export interface NodeFinder {
  add(node: NodeState): void;
  remove(node: NodeState): void;
  /** Called around a change of `node.usedMilli`: detach before, attach after. */
  detach(node: NodeState): void;
  attach(node: NodeState): void;
  /** Fitting node of `tier` with the highest usage (ties: name). */
  mostUsedFit(tier: Tier, need: NeedAt): NodeState | undefined;
  /** Fitting node of `tier` with the lowest usage (ties: name). */
  leastUsedFit(tier: Tier, need: NeedAt): NodeState | undefined;
}

/** Reference implementation: filter and score every node. */
export class ScanFinder implements NodeFinder {
  private readonly all = new Set<NodeState>();
  add(node: NodeState): void {
    this.all.add(node);
  }
  remove(node: NodeState): void {
    this.all.delete(node);
  }
  detach(): void {}
  attach(): void {}
  mostUsedFit(tier: Tier, need: NeedAt): NodeState | undefined {
    return scanBest(this.all, [tierFilter(tier), capacityFilter(need)], mostUsedFirst);
  }
  leastUsedFit(tier: Tier, need: NeedAt): NodeState | undefined {
    return scanBest(this.all, [tierFilter(tier), capacityFilter(need)], leastUsedFirst);
  }
}

interface Group {
  key: string;
  netDelayMs: number;
  capMilli: number;
  /** Ordered by used millicores descending, then name. */
  nodes: OrderedSet<NodeState>;
}

/** A search key for (used, "") in a group's order; reused to avoid allocating per query. */
const probeNode = { usedMilli: 0, name: "" } as NodeState;
function probe(usedMilli: number): NodeState {
  probeNode.usedMilli = usedMilli;
  return probeNode;
}

const byLoadThenName = (a: NodeState, b: NodeState) => b.usedMilli - a.usedMilli || byName(a.name, b.name);

export class IndexedFinder implements NodeFinder {
  private readonly groups = new Map<string, Group>();
  private readonly byTier: Record<Tier, Group[]> = { edge: [], cloud: [] };
  private readonly groupOfNode = new Map<NodeState, Group>();

  add(node: NodeState): void {
    const key = `${node.tier}|${node.netDelayMs}|${node.capMilli}`;
    let g = this.groups.get(key);
    if (!g) {
      g = { key, netDelayMs: node.netDelayMs, capMilli: node.capMilli, nodes: new OrderedSet(byLoadThenName) };
      this.groups.set(key, g);
      this.byTier[node.tier].push(g);
    }
    g.nodes.insert(node);
    this.groupOfNode.set(node, g);
  }

  remove(node: NodeState): void {
    const g = this.groupOf(node);
    g.nodes.delete(node);
    this.groupOfNode.delete(node);
    if (g.nodes.size === 0) {
      this.groups.delete(g.key);
      this.byTier[node.tier] = this.byTier[node.tier].filter((x) => x !== g);
    }
  }

  detach(node: NodeState): void {
    this.groupOf(node).nodes.delete(node);
  }

  attach(node: NodeState): void {
    this.groupOf(node).nodes.insert(node);
  }

  mostUsedFit(tier: Tier, need: NeedAt): NodeState | undefined {
    return this.best(tier, need, mostUsedFirst, false);
  }

  leastUsedFit(tier: Tier, need: NeedAt): NodeState | undefined {
    return this.best(tier, need, leastUsedFirst, true);
  }

  private best(tier: Tier, need: NeedAt, score: Score, leastUsed: boolean): NodeState | undefined {
    let best: NodeState | undefined;
    for (const g of this.byTier[tier]) {
      const m = need(g.netDelayMs);
      if (m < 0 || m > g.capMilli) continue;
      const limit = g.capMilli - m;
      let cand: NodeState | undefined;
      if (leastUsed) {
        const least = g.nodes.last();
        // Several nodes may share the lowest load: the first of them by name.
        if (least && least.usedMilli <= limit) cand = g.nodes.lowerBound(probe(least.usedMilli));
      } else {
        // The most used node with used <= limit: the first at or after (limit, "") in (used desc, name) order.
        cand = g.nodes.lowerBound(probe(limit));
      }
      if (cand && (!best || score(cand, best) < 0)) best = cand;
    }
    return best;
  }

  private groupOf(node: NodeState): Group {
    const g = this.groupOfNode.get(node);
    if (!g) throw new Error(`node '${node.name}' is not indexed`);
    return g;
  }
}
