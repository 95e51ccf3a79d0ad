// Baseline policies for comparison. None moves requests. The budget-blind ones
// (random, round-robin, least-loaded) grant a request the share its model needs
// at the chosen node when that is feasible, else one full core (best effort),
// and check only that the node has that much free CPU; so they may miss
// deadlines. edge-first only takes nodes where the budget can be met.
import type { LatencyModel } from "../../src/latency/model.js";
import { BasePolicy, type PolicyOptions } from "./base-policy.js";
import { IndexedFinder, type NodeFinder, ScanFinder } from "./capacity-index.js";
import { byName, fits, type NodeState } from "./node-state.js";
import { capacityFilter, leastUsedFirst, type NeedAt, nameFirst, scanAll, scanBest, tierFilter } from "./plugins.js";
import { seededRng } from "../../src/random.js";
import { bestEffortMilli, needMilli, perDelay } from "./share.js";
import type { Decision, NodeSpec, TaskRequest } from "./types.js";

const bestEffort = (model: LatencyModel, request: TaskRequest): NeedAt =>
  perDelay((d) => bestEffortMilli(model, request.delayBudgetMs, d));

/** The least used node of either tier with room (ties: name). Indexed like delay-aware. */
export class LeastLoadedPolicy extends BasePolicy {
  constructor(opts: PolicyOptions, finder: NodeFinder = new IndexedFinder()) {
    super("least-loaded", opts, finder);
  }

  protected decide(request: TaskRequest, model: LatencyModel): Decision {
    const need = bestEffort(model, request);
    const f = this.state.finder;
    const edge = f.leastUsedFit("edge", need);
    const cloud = f.leastUsedFit("cloud", need);
    const node = edge && cloud ? (leastUsedFirst(edge, cloud) <= 0 ? edge : cloud) : (edge ?? cloud);
    if (!node) return this.noRoom(request, model, need);
    return this.assign(request, model, node, need(node.netDelayMs));
  }
}

/** A uniformly random node among those with room; seeded, so runs repeat. */
export class RandomPolicy extends BasePolicy {
  private readonly random: () => number;
  constructor(opts: PolicyOptions) {
    super("random", opts, new ScanFinder());
    this.random = seededRng(opts.seed ?? 1);
  }

  protected decide(request: TaskRequest, model: LatencyModel): Decision {
    const need = bestEffort(model, request);
    const fitting = scanAll(this.state.nodes.values(), [capacityFilter(need)]);
    if (fitting.length === 0) return this.noRoom(request, model, need);
    const node = fitting[Math.floor(this.random() * fitting.length)]!;
    return this.assign(request, model, node, need(node.netDelayMs));
  }
}

/** Nodes in name order, in turn: the next node after the last one used that has room. */
export class RoundRobinPolicy extends BasePolicy {
  private ring: NodeState[] = [];
  private cursor = 0;
  constructor(opts: PolicyOptions) {
    super("round-robin", opts, new ScanFinder());
    this.rebuild();
  }

  override addNode(node: NodeSpec): void {
    super.addNode(node);
    this.rebuild();
  }

  override removeNode(name: string): boolean {
    const ok = super.removeNode(name);
    if (ok) this.rebuild();
    return ok;
  }

  protected decide(request: TaskRequest, model: LatencyModel): Decision {
    const need = bestEffort(model, request);
    const n = this.ring.length;
    for (let i = 0; i < n; i++) {
      const idx = (this.cursor + i) % n;
      const node = this.ring[idx]!;
      if (fits(node, need(node.netDelayMs))) {
        this.cursor = (idx + 1) % n;
        return this.assign(request, model, node, need(node.netDelayMs));
      }
    }
    return this.noRoom(request, model, need);
  }

  private rebuild(): void {
    const prev = this.ring[this.cursor]?.name;
    this.ring = [...this.state.nodes.values()].sort((a, b) => byName(a.name, b.name));
    const at = prev === undefined ? -1 : this.ring.findIndex((x) => byName(x.name, prev) >= 0);
    this.cursor = Math.max(at, 0);
  }
}

/** First edge node by name where the budget can be met and it fits, else the first such cloud node. */
export class EdgeFirstPolicy extends BasePolicy {
  constructor(opts: PolicyOptions) {
    super("edge-first", opts, new ScanFinder());
  }

  protected decide(request: TaskRequest, model: LatencyModel): Decision {
    const need: NeedAt = perDelay((d) => needMilli(model, request.delayBudgetMs, d));
    for (const tier of ["edge", "cloud"] as const) {
      const node = scanBest(this.state.nodes.values(), [tierFilter(tier), capacityFilter(need)], nameFirst);
      if (node) return this.assign(request, model, node, need(node.netDelayMs));
    }
    return this.noRoom(request, model, need);
  }
}
