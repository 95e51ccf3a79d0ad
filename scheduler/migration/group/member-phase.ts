// A member's migration state (pure), shown beside its move's state machine
// state: Start (waiting for its round, or queued and planned), Snapshot (the
// source agent checkpoints and sends it), Ready (the image is taken: it is
// being restored at the destination), In process (it runs at the
// destination; the network follows and it is verified), Migrated.
import type { GroupMemberPhase, MigrationState, MoveMetrics } from "../../../src/api-types/scheduler.js";

export interface MemberMoves {
  /** Its forward move's state and what it measured (undefined before its round). */
  state?: MigrationState;
  metrics?: Pick<MoveMetrics, "dumpMs"> | undefined;
  /** Set once the workload runs at the destination. */
  destinationWorkloadId?: string | undefined;
  /** The move back after a group rollback. */
  backState?: MigrationState;
}

export function memberPhase(m: MemberMoves): GroupMemberPhase {
  if (m.backState === "COMPLETED") return "Moved back";
  switch (m.state) {
    case undefined:
    case "PENDING":
    case "PLANNING":
    case "PREPARATION":
      return "Start";
    case "EXECUTION":
      if (m.destinationWorkloadId !== undefined) return "In process";
      return m.metrics?.dumpMs === null || m.metrics?.dumpMs === undefined ? "Snapshot" : "Ready";
    case "VERIFICATION":
      return "In process";
    case "COMPLETED":
      return "Migrated";
    case "ROLLING_BACK":
    case "FAILED":
      return "Failed";
  }
}
