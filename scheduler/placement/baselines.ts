// Baseline policies for comparison, as profiles. None moves requests. The
// budget-blind ones (random, round-robin, least-loaded) grant a request the
// share its model needs at the chosen node when that is feasible, else one full
// core (best effort), and check only that the node has that much free CPU; so
// they may miss deadlines. edge-first only takes nodes where the budget can be met.
import { BasePolicy, type PolicyOptions } from "./base-policy.js";
import { IndexedFinder, type NodeFinder, ScanFinder } from "./capacity-index.js";
import { bestEffortShare } from "./plugins/best-effort-share.js";
import { budgetShare } from "./plugins/budget-share.js";
import { capacityFilter } from "./plugins/capacity.js";
import { leastUsedFirst } from "./plugins/least-used.js";
import { nameFirst } from "./plugins/name-order.js";
import { randomChoice } from "./plugins/random-choice.js";
import { RoundRobin } from "./plugins/round-robin.js";
import { tierFilter } from "./plugins/tier.js";

/** The least used node of either tier with room (ties: name). Indexed like delay-aware. */
export class LeastLoadedPolicy extends BasePolicy {
  constructor(opts: PolicyOptions, finder: NodeFinder = new IndexedFinder()) {
    super({ name: "least-loaded", share: bestEffortShare, filters: [capacityFilter], score: leastUsedFirst }, opts, finder);
  }
}

/** A uniformly random node among those with room; seeded, so runs repeat. */
export class RandomPolicy extends BasePolicy {
  constructor(opts: PolicyOptions) {
    super({ name: "random", share: bestEffortShare, filters: [capacityFilter], score: randomChoice(opts.seed ?? 1) }, opts, new ScanFinder());
  }
}

/** Nodes in name order, in turn: the next node after the last one used that has room. */
export class RoundRobinPolicy extends BasePolicy {
  constructor(opts: PolicyOptions) {
    super({ name: "round-robin", share: bestEffortShare, filters: [capacityFilter], score: new RoundRobin() }, opts, new ScanFinder());
  }
}

/** First edge node by name where the budget can be met and it fits, else the first such cloud node. */
export class EdgeFirstPolicy extends BasePolicy {
  constructor(opts: PolicyOptions) {
    super(
      {
        name: "edge-first",
        share: budgetShare,
        filters: [tierFilter("edge"), capacityFilter],
        score: nameFirst,
        fallback: { filters: [tierFilter("cloud"), capacityFilter], score: nameFirst },
      },
      opts,
      new ScanFinder(),
    );
  }
}
