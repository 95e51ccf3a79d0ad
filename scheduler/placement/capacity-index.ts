// Finding the best fitting node without scanning every node. Nodes are grouped
// by (tier, netDelayMs, capacity): inside a group the required share is the same
// and usage is monotone in used millicores, so a sorted set ordered by
// (used desc, name) answers "most used node with room" as one O(log n) descent.
// A decision costs O(groups x log n); groups are few (distinct delays x sizes).
import { byName, fits, type NodeState } from "./node-state.js";
import { OrderedSet } from "./ordered-set.js";
import { type FilterPlugin, type ScorePlugin, scanBest } from "./framework.js";
import { capacityFilter } from "./plugins/capacity.js";
import { leastUsedFirst } from "./plugins/least-used.js";
import { mostUsedFirst } from "./plugins/most-used.js";
import { tierFilter } from "./plugins/tier.js";
import type { NodeFinder } from "./node-finder.js";
import type { NeedAt } from "./share.js";
import type { Tier } from "./types.js";

export type { NodeFinder };

const filtersFor: Record<Tier | "any", FilterPlugin[]> = {
  edge: [tierFilter("edge"), capacityFilter],
  cloud: [tierFilter("cloud"), capacityFilter],
  any: [capacityFilter],
};

/** Reference implementation: the filter and score plugins on every node. */
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
  mostUsedFit(tier: Tier | undefined, need: NeedAt): NodeState | undefined {
    return scanBest(this.all, filtersFor[tier ?? "any"], mostUsedFirst, need);
  }
  leastUsedFit(tier: Tier | undefined, need: NeedAt): NodeState | undefined {
    return scanBest(this.all, filtersFor[tier ?? "any"], leastUsedFirst, need);
  }
  mostUsedFitExcept(tier: Tier, need: NeedAt, except: readonly NodeState[]): NodeState | undefined {
    return scanBest([...this.all].filter((n) => !except.includes(n)), filtersFor[tier], mostUsedFirst, need);
  }
  mostRoomAfter(tier: Tier, need: NeedAt): number {
    let most = Number.NEGATIVE_INFINITY;
    for (const n of this.all) {
      const m = need(n.netDelayMs);
      if (n.tier === tier && m >= 0) most = Math.max(most, n.capMilli - n.usedMilli - m);
    }
    return most;
  }
  mostUsedFits(tier: Tier, need: NeedAt, atMost: number, out: NodeState[]): boolean {
    out.length = 0;
    for (const node of this.all) if (node.tier === tier && fits(node, need(node.netDelayMs))) out.push(node);
    out.sort(mostUsedFirst.compare);
    const all = out.length <= atMost;
    out.length = Math.min(out.length, atMost);
    return all;
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

  mostUsedFit(tier: Tier | undefined, need: NeedAt): NodeState | undefined {
    return tier ? this.best(this.byTier[tier], need, mostUsedFirst, false) : this.bestOfTiers(need, mostUsedFirst, false);
  }

  leastUsedFit(tier: Tier | undefined, need: NeedAt): NodeState | undefined {
    return tier ? this.best(this.byTier[tier], need, leastUsedFirst, true) : this.bestOfTiers(need, leastUsedFirst, true);
  }

  mostUsedFitExcept(tier: Tier, need: NeedAt, except: readonly NodeState[]): NodeState | undefined {
    return this.best(this.byTier[tier], need, mostUsedFirst, false, except);
  }

  mostRoomAfter(tier: Tier, need: NeedAt): number {
    let most = Number.NEGATIVE_INFINITY;
    for (const g of this.byTier[tier]) {
      const m = need(g.netDelayMs);
      // The last node in (used desc, name) order is the least used of its group.
      const least = g.nodes.last();
      if (m >= 0 && least) most = Math.max(most, g.capMilli - least.usedMilli - m);
    }
    return most;
  }

  mostUsedFits(tier: Tier, need: NeedAt, atMost: number, out: NodeState[]): boolean {
    out.length = 0;
    let all = true;
    for (const g of this.byTier[tier]) {
      const m = need(g.netDelayMs);
      if (m < 0 || m > g.capMilli) continue;
      // A group's fitting nodes, most used first, are those from (cap - need, "") on in its order;
      // its first atMost + 1 tell whether it holds more than atMost.
      const before = out.length;
      g.nodes.collectFrom(probe(g.capMilli - m), atMost + 1, out);
      if (out.length - before > atMost) {
        all = false;
        out.length = before + atMost;
      }
    }
    if (this.byTier[tier].length > 1) out.sort(mostUsedFirst.compare);
    if (out.length > atMost) {
      all = false;
      out.length = atMost;
    }
    return all;
  }

  private bestOfTiers(need: NeedAt, score: ScorePlugin, leastUsed: boolean): NodeState | undefined {
    const edge = this.best(this.byTier.edge, need, score, leastUsed);
    const cloud = this.best(this.byTier.cloud, need, score, leastUsed);
    return edge && cloud ? (score.compare(edge, cloud) <= 0 ? edge : cloud) : (edge ?? cloud);
  }

  private best(groups: readonly Group[], need: NeedAt, score: ScorePlugin, leastUsed: boolean, except?: readonly NodeState[]): NodeState | undefined {
    let best: NodeState | undefined;
    for (const g of groups) {
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
        // The next in order is the next most used with room: skip the excepted nodes.
        while (cand && except?.includes(cand)) cand = g.nodes.after(cand);
      }
      if (cand && (!best || score.compare(cand, best) < 0)) best = cand;
    }
    return best;
  }

  private groupOf(node: NodeState): Group {
    const g = this.groupOfNode.get(node);
    if (!g) throw new Error(`node '${node.name}' is not indexed`);
    return g;
  }
}
