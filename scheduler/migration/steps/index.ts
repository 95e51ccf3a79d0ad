// One step per non-final state.
import type { MigrationState } from "../../../src/api-types/scheduler.js";
import type { Step } from "../context.js";
import { execution } from "./execution.js";
import { pending } from "./pending.js";
import { planning } from "./planning.js";
import { preparation } from "./preparation.js";
import { rollback } from "./rollback.js";
import { verification } from "./verification.js";

export const STEPS: Readonly<Partial<Record<MigrationState, Step>>> = {
  PENDING: pending,
  PLANNING: planning,
  PREPARATION: preparation,
  EXECUTION: execution,
  VERIFICATION: verification,
  ROLLING_BACK: rollback,
};

export { findStarted } from "./rollback.js";
