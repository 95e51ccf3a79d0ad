// The placement framework, after the Kubernetes scheduler framework: a profile
// composes plugins at extension points and one decision loop runs them.
//
//   share (PreFilter)  what the request needs (millicores) at each network delay
//   filter             can this node take it?
//   score              which of two nodes is better? the best passing node is picked
//   post-filter        when no node passes: change the cluster so one does (rule 3
//                      moves requests away, as preemption evicts pods), then retry
//   fallback           a second pass (rule 2: the cloud) when all of that fails
//
// Passes whose filters and score the capacity index knows (a tier, the capacity
// check, an order by load) are answered by it in O(groups x log n); any other
// pass scans every node. Both give the same node (test/unit/placement).
import type { LatencyModel } from "../../src/latency/model.js";
import type { ClusterState } from "./cluster-state.js";
import type { NodeState } from "./node-state.js";
import type { NeedAt } from "./share.js";
import type { Decision, Migration, MoveLimits, TaskRequest, Tier } from "./types.js";

/** Hooks for plugins that keep state between decisions. */
export interface Plugin {
  readonly name: string;
  /** Reserve point: a request was just placed on `node`. */
  reserve?(node: NodeState): void;
  /** A node joined or left (and once at the start); `nodes` are all nodes now. */
  nodesChanged?(nodes: ReadonlyMap<string, NodeState>): void;
}

/** PreFilter: the share a request needs on a node, by the node's network delay. */
export interface SharePlugin extends Plugin {
  needAt(model: LatencyModel, request: TaskRequest): NeedAt;
}

export interface FilterPlugin extends Plugin {
  /** `request` is the request being placed (absent in the capacity index's own reference scans). */
  filter(node: NodeState, need: NeedAt, request?: TaskRequest): boolean;
  /** Set on the filters the capacity index evaluates itself. */
  readonly indexedAs?: { tier: Tier } | "capacity";
  /**
   * Set on filters that judge only some requests: false means every node passes
   * for this request, so the pass is answered as if the filter were not there
   * (by the capacity index when the rest is indexed); true means a scan with it.
   */
  appliesTo?(request: TaskRequest): boolean;
}

export interface ScorePlugin extends Plugin {
  /** Negative when `a` is the better node; 0 only for nodes this score cannot tell apart. */
  compare(a: NodeState, b: NodeState): number;
  /** Which of several equally good nodes to take; without it, the first one seen. */
  pickAmong?(equal: NodeState[]): NodeState;
  /** Set on the load orders the capacity index keeps. */
  readonly indexedAs?: "most-used" | "least-used";
}

export interface PostFilterPlugin extends Plugin {
  /**
   * Changes the cluster so that the pass finds a node and returns the moves made, or returns
   * null with the state unchanged, pushing onto `notes` what a reason should add ("" if nothing).
   */
  postFilter(state: ClusterState, need: NeedAt, limits: MoveLimits, notes: string[]): Migration[] | null;
}

/** One filter, score and pick over the nodes. */
export interface Pass {
  readonly filters: readonly FilterPlugin[];
  readonly score: ScorePlugin;
  /** Decision.case of a request this pass places. */
  readonly case?: Decision["case"];
  /** Tried in order when no node passes; the first that makes room ends the search and the pass runs again. */
  readonly postFilters?: readonly PostFilterPlugin[];
  /** Decision.case of a request placed after a post-filter made room. */
  readonly postFilterCase?: Decision["case"];
  /** Run when this pass and its post-filters find nothing. */
  readonly fallback?: Pass;
}

/** A placement policy as a composition of plugins. */
export interface Profile extends Pass {
  readonly name: string;
  readonly share: SharePlugin;
  /** Appended to the "no node has enough free CPU" refusal. */
  readonly refusalNote?: string;
}

/** Where a request goes; `migrations` were already made by a post-filter. */
export interface Outcome {
  node: NodeState;
  case?: Decision["case"];
  migrations: Migration[];
}

/** No limits on moves: no time, nothing migrating. */
export const NO_LIMITS: MoveLimits = { minResidenceSec: 0 };

type Find = (state: ClusterState, need: NeedAt, request?: TaskRequest) => NodeState | undefined;

interface CompiledPass {
  readonly pass: Pass;
  readonly find: Find;
  readonly fallback?: CompiledPass;
}

export class Framework {
  private readonly first: CompiledPass;
  /** The plugins with each hook, found once: reserve runs on every placement. */
  private readonly reserving: readonly Plugin[];
  private readonly watchingNodes: readonly Plugin[];

  constructor(readonly profile: Profile) {
    this.first = compile(profile);
    const plugins = [...new Set([profile.share, ...pluginsOf(profile)])];
    this.reserving = plugins.filter((p) => p.reserve);
    this.watchingNodes = plugins.filter((p) => p.nodesChanged);
  }

  /**
   * The decision loop: filter, score and pick; on no fit the post-filters, then the
   * pass again; then the fallback pass. Undefined when nothing fits, and then the
   * state is as it was. Post-filters that could not make room leave their notes in `notes`.
   */
  schedule(state: ClusterState, need: NeedAt, limits: MoveLimits = NO_LIMITS, notes: string[] = []): Outcome | undefined {
    const request = limits.request;
    for (let p: CompiledPass | undefined = this.first; p; p = p.fallback) {
      const node = p.find(state, need, request);
      if (node) return { node, case: p.pass.case, migrations: [] };
      for (const plugin of p.pass.postFilters ?? []) {
        const migrations = plugin.postFilter(state, need, limits, notes);
        if (!migrations) continue;
        const freed = p.find(state, need, request);
        if (!freed) throw new Error(`post-filter '${plugin.name}' reported room, but no node passes the filters`);
        return { node: freed, case: p.pass.postFilterCase, migrations };
      }
    }
    return undefined;
  }

  reserve(node: NodeState): void {
    for (const p of this.reserving) p.reserve!(node);
  }

  nodesChanged(nodes: ReadonlyMap<string, NodeState>): void {
    for (const p of this.watchingNodes) p.nodesChanged!(nodes);
  }
}

function passes(node: NodeState, filters: readonly FilterPlugin[], need: NeedAt, request?: TaskRequest): boolean {
  for (const f of filters) if (!f.filter(node, need, request)) return false;
  return true;
}

/** The plain scan: the best node passing every filter (a score's own pick among equals), or undefined. */
export function scanBest(
  nodes: Iterable<NodeState>,
  filters: readonly FilterPlugin[],
  score: ScorePlugin,
  need: NeedAt,
  request?: TaskRequest,
): NodeState | undefined {
  if (score.pickAmong) {
    const equal: NodeState[] = [];
    for (const n of nodes) {
      if (!passes(n, filters, need, request)) continue;
      const c = equal.length === 0 ? -1 : score.compare(n, equal[0]!);
      if (c < 0) equal.length = 0;
      if (c <= 0) equal.push(n);
    }
    return equal.length > 0 ? score.pickAmong(equal) : undefined;
  }
  let best: NodeState | undefined;
  for (const n of nodes) {
    if (passes(n, filters, need, request) && (!best || score.compare(n, best) < 0)) best = n;
  }
  return best;
}

function compile(pass: Pass): CompiledPass {
  const scan: Find = (state, need, request) => scanBest(state.nodes.values(), pass.filters, pass.score, need, request);
  // Filters that judge only some requests: for the others the pass is what remains, maybe indexed.
  const some = pass.filters.filter((f) => f.appliesTo);
  const rest = pass.filters.filter((f) => !f.appliesTo);
  const usual = indexedFind(pass, rest) ?? (some.length > 0 ? (state, need) => scanBest(state.nodes.values(), rest, pass.score, need) : scan);
  const find: Find = some.length === 0 ? usual : (state, need, request) => (request && some.some((f) => f.appliesTo!(request)) ? scan(state, need, request) : usual(state, need));
  return { pass, find, fallback: pass.fallback && compile(pass.fallback) };
}

/** The capacity index's query for a pass made only of what it indexes: the capacity check, at most one tier, a load order. */
function indexedFind(pass: Pass, filters: readonly FilterPlugin[]): Find | undefined {
  const order = pass.score.indexedAs;
  if (!order) return undefined;
  let tier: Tier | undefined;
  let capacity = false;
  for (const f of filters) {
    if (f.indexedAs === "capacity") capacity = true;
    else if (f.indexedAs && tier === undefined) tier = f.indexedAs.tier;
    else return undefined;
  }
  if (!capacity) return undefined;
  return order === "most-used" ? (s, need) => s.finder.mostUsedFit(tier, need) : (s, need) => s.finder.leastUsedFit(tier, need);
}

/** `pass` with `filter` added to it and to each fallback pass after it. */
export function withFilter<P extends Pass>(pass: P, filter: FilterPlugin): P {
  return { ...pass, filters: [...pass.filters, filter], ...(pass.fallback ? { fallback: withFilter(pass.fallback, filter) } : {}) };
}

function pluginsOf(pass: Pass): Plugin[] {
  return [...pass.filters, pass.score, ...(pass.postFilters ?? []), ...(pass.fallback ? pluginsOf(pass.fallback) : [])];
}
