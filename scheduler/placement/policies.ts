// The policy registry: the service and the offline planner both create
// policies here, so they run the same code.
import { EdgeFirstPolicy, LeastLoadedPolicy, RandomPolicy, RoundRobinPolicy } from "./baselines.js";
import type { PolicyOptions } from "./base-policy.js";
import type { DowntimeModel } from "./downtime.js";
import { DelayAwarePolicy } from "./delay-aware.js";
import type { ModelTable, NodeAdmission, NodeSpec, PlacementPolicy } from "./types.js";

export const POLICY_NAMES = ["delay-aware", "random", "round-robin", "least-loaded", "edge-first"] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

export function isPolicyName(name: string): name is PolicyName {
  return (POLICY_NAMES as readonly string[]).includes(name);
}

/**
 * A policy over a fresh cluster of `nodes`. Throws on a malformed node or a duplicate
 * node name; bad requests are refusals, never exceptions.
 */
export function createPolicy(
  name: PolicyName,
  opts: { nodes: NodeSpec[]; models: ModelTable; seed?: number; minResidenceSec?: number; admission?: NodeAdmission; downtime?: DowntimeModel },
): PlacementPolicy {
  const o: PolicyOptions = opts;
  switch (name) {
    case "delay-aware":
      return new DelayAwarePolicy(o);
    case "random":
      return new RandomPolicy(o);
    case "round-robin":
      return new RoundRobinPolicy(o);
    case "least-loaded":
      return new LeastLoadedPolicy(o);
    case "edge-first":
      return new EdgeFirstPolicy(o);
    default:
      throw new Error(`unknown policy '${name as string}' (known: ${POLICY_NAMES.join(", ")})`);
  }
}
