// A group's members (pure): each is one task carrying the group's membership
// (member, start order, replica). Which members the next round may send:
// only members of the lowest start order not yet moved (a member restores
// after every member it depends on), and at most one replica of a member at
// a time (so its other replicas serve meanwhile).
import type { TaskGroupMembership } from "../../../src/api-types/scheduler.js";

export interface GroupMember {
  task: string;
  group: TaskGroupMembership;
  /** Where it runs when the group's move starts. */
  from: string;
}

export type MemberProgress = "waiting" | "moving" | "moved" | "failed";

/** Start order, then member, then replica: the order the group moves (and restores) in. */
export function inStartOrder<T extends { group: TaskGroupMembership }>(members: readonly T[]): T[] {
  return [...members].sort(
    (a, b) => a.group.order - b.group.order || a.group.member.localeCompare(b.group.member) || a.group.replica - b.group.replica,
  );
}

export interface RoundPick {
  tasks: string[];
  /** Why the round is smaller than allowed, when it is. */
  note?: string;
}

/** Up to `parallelism` waiting members the next round may send (none while a lower start order is unfinished). */
export function pickRound(members: readonly GroupMember[], progress: ReadonlyMap<string, MemberProgress>, parallelism: number): RoundPick {
  const ordered = inStartOrder(members);
  const open = ordered.filter((m) => progress.get(m.task) !== "moved");
  const level = open[0]?.group.order;
  if (level === undefined) return { tasks: [] };
  const moving = new Set(ordered.filter((m) => progress.get(m.task) === "moving").map((m) => m.group.member));
  const picked: string[] = [];
  const busyMembers = new Set(moving);
  let heldReplicas = 0;
  for (const m of open) {
    if (m.group.order !== level || progress.get(m.task) !== "waiting") continue;
    if (picked.length >= parallelism) break;
    if (busyMembers.has(m.group.member)) {
      heldReplicas++;
      continue;
    }
    busyMembers.add(m.group.member);
    picked.push(m.task);
  }
  if (picked.length >= parallelism) return { tasks: picked };
  const later = open.filter((m) => m.group.order > level).length;
  const why = [
    `${picked.length} eligible of start order ${level}`,
    ...(heldReplicas ? [`${heldReplicas} replica(s) wait: one replica of a member at a time`] : []),
    ...(later ? [`${later} member(s) of later start orders wait for it`] : []),
  ];
  return { tasks: picked, note: why.join("; ") };
}

/** The group's problems as members (replicas of one member must agree on its start order). */
export function membershipProblems(members: readonly GroupMember[]): string[] {
  const problems: string[] = [];
  const orderOf = new Map<string, number>();
  const seen = new Set<string>();
  for (const m of members) {
    const key = `${m.group.member}#${m.group.replica}`;
    if (seen.has(key)) problems.push(`member ${m.group.member} replica ${m.group.replica} is held by two tasks`);
    seen.add(key);
    const order = orderOf.get(m.group.member);
    if (order !== undefined && order !== m.group.order) problems.push(`member ${m.group.member}'s replicas disagree on the start order (${order} and ${m.group.order})`);
    orderOf.set(m.group.member, m.group.order);
  }
  return problems;
}
