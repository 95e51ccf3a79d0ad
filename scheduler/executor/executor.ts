// Where the scheduler sends the moves its placement decisions trigger. The
// placement state has already changed when a move is requested; an executor
// carries the workload itself (the agent-backed one, with CRIU, plugs in here).
import type { Migration, TaskRequest } from "../placement/types.js";

export type MigrationStatus = "requested" | "running" | "done" | "failed";

/** One move as the service asks for it: the decision's migration plus what an executor needs to act. */
export interface MigrationOrder extends Migration {
  task: TaskRequest;
  /** Agent base URL of the node the task leaves, when one registered. */
  fromEndpoint?: string;
  /** Agent base URL of the node the task goes to, when one registered. */
  toEndpoint?: string;
}

export interface MigrationRecord {
  /** m-1, m-2, ... in request order. */
  id: string;
  task: TaskRequest;
  from: string;
  to: string;
  cpuShare: number;
  fromEndpoint?: string;
  toEndpoint?: string;
  status: MigrationStatus;
  /** ISO time the move was requested. */
  requestedAt: string;
  /** Why the move failed (status "failed"). */
  error?: string;
}

export interface MigrationExecutor {
  /** Accepts a move; resolves once it is recorded (not when the workload has moved). */
  request(order: MigrationOrder): Promise<MigrationRecord>;
  /** Every move requested so far, oldest first, with its current status. */
  records(): MigrationRecord[];
}
