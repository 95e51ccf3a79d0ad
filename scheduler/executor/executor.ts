// Where the scheduler sends the moves its placement decisions trigger. The
// placement state has already changed when a move is requested; an executor
// carries the workload itself (the agent-backed one, with CRIU, plugs in here).
import type { MoveRecord } from "../../src/api-types/scheduler.js";
import type { Migration, TaskRequest } from "../placement/types.js";

/** The record of a move is what GET /v1/migrations shows: one definition, in src/api-types. */
export type MigrationRecord = MoveRecord;
export type MigrationStatus = MoveRecord["status"];

/** One move as the service asks for it: the decision's migration plus what an executor needs to act. */
export interface MigrationOrder extends Migration {
  task: TaskRequest;
  /** Agent base URL of the node the task leaves, when one registered. */
  fromEndpoint?: string;
  /** Agent base URL of the node the task goes to, when one registered. */
  toEndpoint?: string;
}

export interface MigrationExecutor {
  /** Accepts a move; resolves once it is recorded (not when the workload has moved). */
  request(order: MigrationOrder): Promise<MigrationRecord>;
  /** Every move requested so far, oldest first, with its current status. */
  records(): MigrationRecord[];
}
