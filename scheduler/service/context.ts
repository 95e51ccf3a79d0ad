// The state every route plugin shares: the placement policy (which owns nodes
// and placements), the models, the executor, and what only the service knows
// (devices, agents' reports, the task id sequence), and the durable state
// every change is committed to before it is answered.
import type { MigrationExecutor } from "../executor/executor.js";
import type { ModelTable, PlacementPolicy } from "../placement/types.js";
import type { DurableState } from "../state/durable-state.js";
import type { StoredDevice } from "../state/records.js";
import type { DeviceTasks } from "./device-tasks.js";
import type { SchedulerEvents } from "./events.js";
import type { SchedulerMetrics } from "./metrics.js";
import type { Reconciler } from "./reconcile.js";
import type { TaskRuntime } from "./task-runtime.js";

export type Device = StoredDevice;

export interface NodeReport {
  receivedAt: string;
  report: Record<string, unknown>;
}

export interface ServiceContext {
  policy: PlacementPolicy;
  models: ModelTable;
  executor: MigrationExecutor;
  /** Starts and stops tasks' workloads on nodes with agents. */
  runtime: TaskRuntime;
  /** Auto-registered devices left without a task (set once the app is built). */
  deviceExpiry?: { busy(device: string): void; maybeIdle(device: string): void; forget(device: string): void };
  /** Which nodes stopped reporting (set once the app is built). */
  liveness?: { isSilent(node: string): boolean };
  events: SchedulerEvents;
  devices: Map<string, Device>;
  /** Placed tasks per device. */
  deviceTasks: DeviceTasks;
  reports: Map<string, NodeReport>;
  /** What the store and the agents' reports disagree on. */
  reconciler: Reconciler;
  /** Moves may carry test faults (scheduler --allow-faults). */
  allowFaults: boolean;
  /** Where changes are kept (a state directory's journal, or memory). */
  durable: DurableState;
  /** Next generated task id (t-N). */
  nextTaskId(): string;
  /** The last generated task number, to store with the task it named. */
  taskSeq(): number;
  now(): Date;
  /** Decisions, refusals and finished moves, counted for GET /metrics. */
  metrics: SchedulerMetrics;
}
