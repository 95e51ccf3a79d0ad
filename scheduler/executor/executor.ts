// Where the scheduler sends the moves its placement decisions trigger. The
// placement state has already changed when a move is requested; an executor
// carries the workload itself (the migration manager, scheduler/migration/,
// drives the agents; the recording one only records).
import type { MoveFaults, MoveRecord, MoveStrategy } from "../../src/api-types/scheduler.js";
import type { Migration, TaskRequest } from "../placement/types.js";

/** The record of a move is what GET /v1/migrations shows: one definition, in src/api-types. */
export type MigrationRecord = MoveRecord;
export type MigrationStatus = MoveRecord["status"];

/** Where a running task's workload answers: the same IP and MAC wherever it runs. */
export interface ServiceBinding {
  /** The workload's id on its agent. */
  workloadId: string;
  ip: string;
  prefixLen: number;
  mac: string;
  port: number;
  probePath: string;
  /** Its DNS name, when a controller serves one. */
  dnsName?: string;
}

/** One move as the service asks for it: the decision's migration plus what an executor needs to act. */
export interface MigrationOrder extends Migration {
  task: TaskRequest;
  /** Agent base URL of the node the task leaves, when one registered. */
  fromEndpoint?: string;
  /** Agent base URL of the node the task goes to, when one registered. */
  toEndpoint?: string;
  /** The task's running workload, when one runs (an agent started it). */
  service?: ServiceBinding;
  /** An operator's move may ask for a strategy; placement's moves take auto. */
  strategy?: MoveStrategy;
  faults?: MoveFaults;
}

export interface MigrationExecutor {
  /** Accepts a move; resolves once it is recorded (not when the workload has moved). */
  request(order: MigrationOrder): Promise<MigrationRecord>;
  /** Every move requested so far, oldest first, with its current status. */
  records(): MigrationRecord[];
  /** One move, or undefined. */
  record?(id: string): MigrationRecord | undefined;
  /** Tasks whose latest move is requested or running (placement does not move them again); cheaper than records(). */
  inFlight?(): Set<string>;
  /** A device's measured requests of a task (the migration manager derives the downtime the device saw). */
  deviceSamples?(taskId: string, samples: ReadonlyArray<{ at: number; e2eMs: number }>): void;
  /** The task is being released: ends its move in flight (a rollback), resolving once nothing of it runs on. */
  cancelTask?(taskId: string): Promise<void>;
  /** Stops timers and closes stores. */
  close?(): Promise<void>;
}
