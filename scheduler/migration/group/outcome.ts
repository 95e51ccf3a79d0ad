// The group's one outcome (pure). All members moved: completed. A member
// failed: with onFailure "rollback" the members already moved go back, one
// at a time in reverse start order (dependents leave before what they depend
// on, and a replicated member keeps a replica serving); with "leave" they
// stay, and the record says where each runs.
import type { GroupFailurePolicy, GroupMigrationState } from "../../../src/api-types/scheduler.js";
import { type GroupMember, inStartOrder, type MemberProgress } from "./members.js";

/** The moves back: moved members, last started first. */
export function rollbackPlan(members: readonly GroupMember[], progress: ReadonlyMap<string, MemberProgress>, policy: GroupFailurePolicy): Array<{ task: string; to: string }> {
  if (policy === "leave") return [];
  return inStartOrder(members)
    .filter((m) => progress.get(m.task) === "moved")
    .reverse()
    .map((m) => ({ task: m.task, to: m.from }));
}

/** The outcome once no move is in flight: `backFailed` tells whether a move back failed. */
export function groupOutcome(progress: ReadonlyMap<string, MemberProgress>, policy: GroupFailurePolicy, backFailed: boolean): GroupMigrationState {
  const all = [...progress.values()];
  if (all.every((p) => p === "moved")) return "completed";
  if (backFailed) return "failed";
  return policy === "leave" ? "left" : "rolled-back";
}
