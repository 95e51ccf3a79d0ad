// The life of one migration as a pure state machine: which phase may follow
// which, and the record every progress event folds into. Failure from any
// live phase goes through rolling-back to failed.
import type { MigrationView } from "../../src/api-types/agent.js";
import type { MigrationPhase, ProgressEvent, StrategyName } from "./strategy.js";

/** A migration's record is what GET /v1/migrations/:id shows: one definition, in src/api-types. */
export type MigrationRecord = MigrationView;
export type MigrationStatus = MigrationView["status"];

const LIVE: MigrationPhase[] = ["pending", "preparing", "dumping", "transferring", "restoring", "verifying", "serving-pages", "awaiting-commit", "committing"];

/** Forward order of the live phases; a strategy may skip phases but never go back. */
export function canMove(from: MigrationPhase, to: MigrationPhase): boolean {
  // awaiting-commit is left only by a decision: commit, or roll back.
  if (from === "awaiting-commit") return to === "committing" || to === "rolling-back";
  if (from === to) return LIVE.includes(from);
  if (from === "done" || from === "failed") return false;
  if (to === "rolling-back") return from !== "rolling-back";
  if (to === "failed") return from === "rolling-back";
  if (to === "done") return from === "committing";
  if (from === "rolling-back") return false;
  // transferring and serving-pages may interleave with restoring/verifying (post-copy).
  if (from === "restoring" && to === "transferring") return true;
  if (from === "serving-pages" && (to === "verifying" || to === "transferring")) return true;
  return LIVE.indexOf(to) > LIVE.indexOf(from);
}

export function newMigration(id: string, workloadId: string, destination: string, requested: StrategyName): MigrationRecord {
  return {
    id,
    workloadId,
    destination,
    requested,
    phase: "pending",
    status: "running",
    progress: { bytes: 0, totalBytes: 0, rateBps: 0 },
    startedAt: new Date().toISOString(),
  };
}

/** Folds one progress event in; an illegal phase change is ignored, progress still counts. */
export function applyEvent(rec: MigrationRecord, ev: ProgressEvent): MigrationRecord {
  const phase = canMove(rec.phase, ev.phase) ? ev.phase : rec.phase;
  const progress = {
    bytes: ev.bytes ?? rec.progress.bytes,
    totalBytes: ev.totalBytes ?? rec.progress.totalBytes,
    rateBps: ev.rateBps ?? rec.progress.rateBps,
  };
  const status: MigrationStatus = phase === "done" ? "succeeded" : phase === "failed" ? "failed" : "running";
  const ended = status !== "running" && rec.status === "running";
  return { ...rec, phase, progress, status, ...(ended ? { endedAt: ev.at } : {}) };
}

/** Why POST /v1/migrations/:id/commit cannot act in `phase` (a 409), or undefined when it can. */
export function commitRefusal(rec: Pick<MigrationRecord, "id" | "phase">): string | undefined {
  return rec.phase === "awaiting-commit" ? undefined : `migration ${rec.id} is ${rec.phase}; only one awaiting commit (commit "manual") can be committed`;
}

/** Why POST /v1/migrations/:id/rollback cannot act in `phase` (a 409), or undefined when it can. */
export function rollbackRefusal(rec: Pick<MigrationRecord, "id" | "phase">): string | undefined {
  if (rec.phase === "committing" || rec.phase === "done") return `migration ${rec.id} is ${rec.phase}: the source has let go, nothing to roll back to`;
  if (rec.phase === "rolling-back" || rec.phase === "failed") return `migration ${rec.id} is already ${rec.phase}`;
  return undefined;
}
