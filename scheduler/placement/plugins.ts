// Scheduler-framework pieces: filter plugins say whether a node can take a
// request, score plugins order the survivors, and one loop picks the best.
// The plain scan is the reference; the capacity index must agree with it.
import { byName, fits, type NodeState, usage } from "./node-state.js";
import type { Tier } from "./types.js";

/** Millicores a request needs on a node at this network delay, or -1 (infeasible). */
export type NeedAt = (netDelayMs: number) => number;

export type Filter = (node: NodeState) => boolean;
/** Negative when `a` is the better node. Must be a total order (names are unique). */
export type Score = (a: NodeState, b: NodeState) => number;

export const tierFilter =
  (tier: Tier): Filter =>
  (n) =>
    n.tier === tier;

/** The node has free capacity for the share the request needs at this node's delay. */
export const capacityFilter =
  (need: NeedAt): Filter =>
  (n) =>
    fits(n, need(n.netDelayMs));

/** Highest CPU usage first (bin packing keeps other nodes free); ties: name. */
export const mostUsedFirst: Score = (a, b) => usage(b) - usage(a) || byName(a.name, b.name);

/** Lowest CPU usage first (spreading); ties: name. */
export const leastUsedFirst: Score = (a, b) => usage(a) - usage(b) || byName(a.name, b.name);

/** Name order: first-fit policies. */
export const nameFirst: Score = (a, b) => byName(a.name, b.name);

export function passes(node: NodeState, filters: readonly Filter[]): boolean {
  for (const f of filters) if (!f(node)) return false;
  return true;
}

/** The decision loop: the best node passing every filter, or undefined. */
export function scanBest(nodes: Iterable<NodeState>, filters: readonly Filter[], score: Score): NodeState | undefined {
  let best: NodeState | undefined;
  for (const n of nodes) {
    if (passes(n, filters) && (!best || score(n, best) < 0)) best = n;
  }
  return best;
}

export function scanAll(nodes: Iterable<NodeState>, filters: readonly Filter[]): NodeState[] {
  const out: NodeState[] = [];
  for (const n of nodes) if (passes(n, filters)) out.push(n);
  return out;
}
