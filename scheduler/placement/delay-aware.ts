// The delay-aware policy (rules 1-3 of docs/placement.md): pack edge nodes,
// make room on the edge by moving loose-budget requests to the cloud, and use
// the cloud directly only when moving cannot help.
import type { LatencyModel } from "../../src/latency/model.js";
import { BasePolicy, type PolicyOptions } from "./base-policy.js";
import { IndexedFinder, type NodeFinder } from "./capacity-index.js";
import { planMoves } from "./move-planner.js";
import type { NeedAt } from "./plugins.js";
import { needMilli, perDelay } from "./share.js";
import type { ClusterState } from "./cluster-state.js";
import type { Decision, Migration, TaskRequest } from "./types.js";

/** Rule 3's planner: applies moves and returns them, or returns null with the state unchanged. */
export type MovePlanner = (state: ClusterState, need: NeedAt) => Migration[] | null;

export class DelayAwarePolicy extends BasePolicy {
  /** `finder` and `planner` are replaceable so tests can check them against plain references. */
  constructor(
    opts: PolicyOptions,
    finder: NodeFinder = new IndexedFinder(),
    private readonly planner: MovePlanner = planMoves,
  ) {
    super("delay-aware", opts, finder);
  }

  protected decide(request: TaskRequest, model: LatencyModel): Decision {
    const need: NeedAt = perDelay((d) => needMilli(model, request.delayBudgetMs, d));
    const finder = this.state.finder;
    // Rule 1: the most used edge node that fits.
    const edge = finder.mostUsedFit("edge", need);
    if (edge) return this.assign(request, model, edge, need(edge.netDelayMs), 1);
    // Rule 3: move edge requests to the cloud until it fits on the edge.
    const moves = this.planner(this.state, need);
    if (moves) {
      const freed = finder.mostUsedFit("edge", need)!;
      return this.assign(request, model, freed, need(freed.netDelayMs), 3, moves);
    }
    // Rule 2: the most used cloud node that fits.
    const cloud = finder.mostUsedFit("cloud", need);
    if (cloud) return this.assign(request, model, cloud, need(cloud.netDelayMs), 2);
    return this.noRoom(request, model, need, ", even after moving edge requests to the cloud");
  }
}
