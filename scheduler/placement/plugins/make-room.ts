// Post-filter, rule 3 of docs/placement.md: when no edge node fits, free one edge
// node by moving some of its requests to the cloud (each within its own budget),
// the node that needs the fewest moves, as Kubernetes preemption evicts pods to
// make room. The search is the move planner's (move-planner.ts); a failed search
// leaves the state unchanged and says what held moves back.
import type { ClusterState } from "../cluster-state.js";
import type { PostFilterPlugin } from "../framework.js";
import { type MoveLimits, planMoves } from "../move-planner.js";
import type { NeedAt } from "../share.js";
import type { Migration } from "../types.js";

/** Applies moves and returns them, or returns a note for the reason (see planMoves) with the state unchanged. */
export type MovePlanner = (state: ClusterState, need: NeedAt, limits: MoveLimits) => Migration[] | string;

/** `planner` is replaceable so tests can check the planner against a literal reading of rule 3. */
export function makeRoomOnEdge(planner: MovePlanner = planMoves): PostFilterPlugin {
  return {
    name: "make-room-on-edge",
    postFilter(state, need, limits, notes) {
      const moved = planner(state, need, limits);
      if (typeof moved !== "string") return moved;
      notes.push(moved);
      return null;
    },
  };
}
