// After a restart: where is each unfinished move? The source agent's view of
// its migration (and the workload lists) decide whether the manager finishes
// it (the step of its state runs again: each skips what is already done) or
// rolls it back, so that the workload ends serving in exactly one place.
import type { MigrationState } from "../../src/api-types/scheduler.js";
import type { StepEnv } from "./context.js";
import type { ManagedMove } from "./record.js";
import { findStarted } from "./steps/index.js";

export interface RecoveryVerdict {
  /** The state to go on from: the current one (finish it), ROLLING_BACK or FAILED. */
  to: MigrationState;
  message: string;
}

export async function recoverMove(m: ManagedMove, env: StepEnv): Promise<RecoveryVerdict> {
  switch (m.state) {
    case "PENDING":
    case "PLANNING":
      return { to: "FAILED", message: `restarted in ${m.state}: nothing had changed, move dropped` };
    case "PREPARATION":
      return { to: "ROLLING_BACK", message: "restarted in PREPARATION: no agent migration yet, undoing the preparation" };
    case "ROLLING_BACK":
      return { to: "ROLLING_BACK", message: "restarted while rolling back: finishing the rollback" };
    default:
      break;
  }
  const id = m.agentMigrationId ?? (m.changes.agentStarted ? await findStarted(m, env) : undefined);
  if (!id) return { to: "ROLLING_BACK", message: `restarted in ${m.state}: the source agent started no migration of ${m.workloadId}` };
  m.agentMigrationId = id;
  m.agentStartedAtMs ??= env.now().getTime();
  const view = await env.source(m).migration(id);
  if (view.phase === "failed") return { to: "ROLLING_BACK", message: `agent migration ${id} failed (${view.error ?? "no reason"}): rolling back` };
  if (view.phase === "rolling-back") return { to: "ROLLING_BACK", message: `agent migration ${id} is rolling back: following it` };
  return { to: m.state, message: `agent migration ${id} is in phase ${view.phase}: finishing ${m.state}` };
}
