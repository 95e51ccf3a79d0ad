// Group membership as the service checks it when a task joins (pure): a
// member's replica is held by one task only, and a member's replicas agree on
// its start order (the order is the member's, not the replica's).
import type { TaskGroupMembership, TaskRequest } from "../../src/api-types/scheduler.js";

/** Why `g` cannot join its group beside the placed tasks; undefined when it can. */
export function groupClash(g: TaskGroupMembership, placed: readonly TaskRequest[]): string | undefined {
  for (const t of placed) {
    if (t.group?.name !== g.name || t.group.member !== g.member) continue;
    if (t.group.replica === g.replica) return `group ${g.name} already has member ${g.member} replica ${g.replica} (task ${t.id})`;
    if (t.group.order !== g.order) return `member ${g.member} of group ${g.name} has start order ${t.group.order} (task ${t.id}), not ${g.order}`;
  }
  return undefined;
}
