// A node record with a given load, for plugin and framework tests.
import type { NodeState } from "../../../../scheduler/placement/node-state.js";
import type { Tier } from "../../../../scheduler/placement/types.js";

export function node(name: string, tier: Tier, cpus: number, netDelayMs: number, usedMilli: number): NodeState {
  return { spec: { name, tier, cpus, netDelayMs }, name, tier, netDelayMs, capMilli: cpus * 1000, usedMilli, tasks: 0, pinnedMilli: 0 };
}

/** Sorts nodes best first by a score's comparison. */
export function ranked(nodes: NodeState[], compare: (a: NodeState, b: NodeState) => number): string[] {
  return [...nodes].sort(compare).map((n) => n.name);
}
