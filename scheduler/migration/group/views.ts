// What a group migration shows of its members and measures of their moves
// (pure): a member's view from its moves' records, and a finished move's
// transfer (bytes before resume over the agent's transfer time) for the balancer.
import type { GroupMemberView, GroupTransferMeasure, MoveRecord } from "../../../src/api-types/scheduler.js";
import { mbps } from "./balancer.js";
import { memberPhase } from "./member-phase.js";
import type { GroupMember } from "./members.js";

/** The group's own notes on a member: its move, its move back, why it failed. */
export interface MemberRun {
  migration?: string;
  back?: string;
  error?: string;
}

export function memberView(m: GroupMember, run: MemberRun, runsOn: string | undefined, fwd: MoveRecord | undefined, back: MoveRecord | undefined): GroupMemberView {
  return {
    task: m.task,
    member: m.group.member,
    replica: m.group.replica,
    order: m.group.order,
    from: m.from,
    runsOn: runsOn ?? "(released)",
    phase: memberPhase({
      ...(fwd?.state ? { state: fwd.state } : {}),
      metrics: fwd?.metrics,
      destinationWorkloadId: fwd?.destinationWorkloadId,
      ...(back?.state ? { backState: back.state } : {}),
    }),
    state: fwd?.state ?? null,
    migration: run.migration ?? null,
    backMigration: run.back ?? null,
    backState: back?.state ?? null,
    downtimeMs: fwd?.metrics?.frozenMs ?? null,
    ...(run.error === undefined ? {} : { error: run.error }),
  };
}

/**
 * A completed move's transfer: the bytes sent before the workload resumed over
 * the agent's transfer time, which times just those (its downtime, which holds
 * them too, when it measured none). Post-copy's pages after resume trickle in
 * on demand and in the background: no measure of the link.
 */
export function transferOf(rec: MoveRecord): GroupTransferMeasure | undefined {
  const bytes = rec.metrics?.bytesBeforeResume ?? 0;
  const ms = rec.metrics?.transferMs ?? rec.metrics?.frozenMs ?? 0;
  if (!(bytes > 0 && ms > 0)) return undefined;
  return { task: rec.task.id, bytes, ms, mbps: Number(mbps({ bytes, ms }).toFixed(3)) };
}
