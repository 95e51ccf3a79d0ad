// The migration state machine (pure). A move goes PENDING → PLANNING →
// PREPARATION → EXECUTION → VERIFICATION → COMPLETED. Before PREPARATION
// nothing has changed anywhere, so a failure goes straight to FAILED; from
// PREPARATION on something may have (a reservation, a started migration, a
// redirect), so a failure passes through ROLLING_BACK first.
import type { MigrationState } from "../../src/api-types/scheduler.js";

export type { MigrationState };

export const MIGRATION_STATES: readonly MigrationState[] = [
  "PENDING",
  "PLANNING",
  "PREPARATION",
  "EXECUTION",
  "VERIFICATION",
  "COMPLETED",
  "ROLLING_BACK",
  "FAILED",
];

/** Every legal move; COMPLETED and FAILED have none (final). */
export const TRANSITIONS: Readonly<Record<MigrationState, readonly MigrationState[]>> = {
  PENDING: ["PLANNING", "FAILED"],
  PLANNING: ["PREPARATION", "FAILED"],
  PREPARATION: ["EXECUTION", "ROLLING_BACK"],
  EXECUTION: ["VERIFICATION", "ROLLING_BACK"],
  VERIFICATION: ["COMPLETED", "ROLLING_BACK"],
  ROLLING_BACK: ["FAILED"],
  COMPLETED: [],
  FAILED: [],
};

export class IllegalTransition extends Error {
  override name = "IllegalTransition";
  constructor(
    readonly from: MigrationState,
    readonly to: MigrationState,
  ) {
    super(`illegal migration transition ${from} -> ${to} (allowed: ${TRANSITIONS[from].join(", ") || "none, final"})`);
  }
}

export function canTransition(from: MigrationState, to: MigrationState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Returns `to` when the move is legal; throws IllegalTransition otherwise. */
export function transition(from: MigrationState, to: MigrationState): MigrationState {
  if (!canTransition(from, to)) throw new IllegalTransition(from, to);
  return to;
}

export function isFinal(state: MigrationState): boolean {
  return TRANSITIONS[state].length === 0;
}

/** Where a failure in `state` goes: straight to FAILED while nothing changed, else through ROLLING_BACK. */
export function failureTarget(state: MigrationState): MigrationState {
  return canTransition(state, "FAILED") ? "FAILED" : "ROLLING_BACK";
}

/** Whether the move holds a slot against the limits (it left the queue and is not final). */
export function isActive(state: MigrationState): boolean {
  return state !== "PENDING" && !isFinal(state);
}

/** The coarse status older clients read (MoveRecord.status). */
export function statusOf(state: MigrationState): "requested" | "running" | "done" | "failed" {
  if (state === "PENDING") return "requested";
  if (state === "COMPLETED") return "done";
  if (state === "FAILED") return "failed";
  return "running";
}
