// Post-filter, rule 3 of docs/placement.md: when no edge node fits, move running
// edge requests to the cloud (in move order, each within its own budget) until
// one does, as Kubernetes preemption evicts pods to make room. The search is the
// move planner's (move-planner.ts); a failed search leaves the state unchanged.
import type { ClusterState } from "../cluster-state.js";
import type { PostFilterPlugin } from "../framework.js";
import { planMoves } from "../move-planner.js";
import type { NeedAt } from "../share.js";
import type { Migration } from "../types.js";

/** Applies moves and returns them, or returns null with the state unchanged. */
export type MovePlanner = (state: ClusterState, need: NeedAt) => Migration[] | null;

/** `planner` is replaceable so tests can check the planner against a literal reading of rule 3. */
export function makeRoomOnEdge(planner: MovePlanner = planMoves): PostFilterPlugin {
  return { name: "make-room-on-edge", postFilter: planner };
}
