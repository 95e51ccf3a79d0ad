// Before a group moves: its members as the placement holds them, and whether
// the destination can take every one of them at once. The check is a dry run
// on the placement itself (each member moved there, then every one put back
// exactly as it was: node, share, seq, age), synchronous, so nothing else
// sees it.
import type { GroupMember } from "../migration/group/members.js";
import type { PlacementRecord } from "../placement/types.js";
import type { ServiceContext } from "./context.js";

export function groupMembers(ctx: ServiceContext, name: string): GroupMember[] {
  return ctx.policy
    .placements()
    .filter((p) => p.request.group?.name === name)
    .map((p) => ({ task: p.request.id, group: { ...p.request.group! }, from: p.node }));
}

/** Why the destination cannot take the members (empty: it can). */
export function destinationProblems(ctx: ServiceContext, members: readonly GroupMember[], to: string): string[] {
  const problems: string[] = [];
  const nodes = ctx.policy.nodes();
  const dest = nodes.find((n) => n.name === to);
  if (!dest) return [`no node '${to}'`];
  if (!dest.endpoint) problems.push(`node ${to} has no agent to run the members`);
  const inFlight = ctx.executor.inFlight?.() ?? new Set<string>();
  for (const m of members) {
    if (!nodes.find((n) => n.name === m.from)?.endpoint) problems.push(`member ${m.task} runs on ${m.from}, which has no agent`);
    if (inFlight.has(m.task)) problems.push(`member ${m.task} is already migrating`);
  }
  const saved: PlacementRecord[] = [];
  try {
    for (const m of members) {
      const before = ctx.policy.record(m.task);
      const moved = ctx.policy.moveTo(m.task, to);
      if (!moved.ok) {
        problems.push(`member ${m.task}: ${moved.reason}`);
        continue;
      }
      saved.push(before!);
    }
  } finally {
    for (const r of saved.reverse()) {
      ctx.policy.release(r.request.id);
      ctx.policy.restore(r);
    }
  }
  return problems;
}
