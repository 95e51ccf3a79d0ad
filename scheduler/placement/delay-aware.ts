// The delay-aware policy (rules 1-3 of docs/placement.md) as a profile: pack
// edge nodes, make room on the edge by moving loose-budget requests to the
// cloud, and use the cloud directly only when moving cannot help.
import { BasePolicy, type PolicyOptions } from "./base-policy.js";
import { IndexedFinder, type NodeFinder } from "./capacity-index.js";
import type { Profile } from "./framework.js";
import { budgetShare } from "./plugins/budget-share.js";
import { capacityFilter } from "./plugins/capacity.js";
import { type MovePlanner, makeRoomOnEdge } from "./plugins/make-room.js";
import { mostUsedFirst } from "./plugins/most-used.js";
import { tierFilter } from "./plugins/tier.js";

export function delayAwareProfile(planner?: MovePlanner): Profile {
  return {
    name: "delay-aware",
    share: budgetShare,
    // Rule 1: the most used edge node that fits.
    filters: [tierFilter("edge"), capacityFilter],
    score: mostUsedFirst,
    case: 1,
    // Rule 3: move edge requests to the cloud until the request fits on the edge; then rule 1 places it.
    postFilters: [makeRoomOnEdge(planner)],
    postFilterCase: 3,
    // Rule 2: the most used cloud node that fits.
    fallback: { filters: [tierFilter("cloud"), capacityFilter], score: mostUsedFirst, case: 2 },
    refusalNote: ", even after moving edge requests to the cloud",
  };
}

export class DelayAwarePolicy extends BasePolicy {
  /** `finder` and `planner` are replaceable so tests can check them against plain references. */
  constructor(opts: PolicyOptions, finder: NodeFinder = new IndexedFinder(), planner?: MovePlanner) {
    super(delayAwareProfile(planner), opts, finder);
  }
}
