// The state every route plugin shares: the placement policy (which owns nodes
// and placements), the models, the executor, and what only the service knows
// (devices, agents' reports, the task id sequence).
import type { MigrationExecutor } from "../executor/executor.js";
import type { ModelTable, PlacementPolicy } from "../placement/types.js";
import type { SchedulerEvents } from "./events.js";
import type { TaskRuntime } from "./task-runtime.js";

export interface Device {
  id: string;
  site?: string;
  registeredAt: string;
  /** True when the device was registered by its first task rather than by POST /v1/devices. */
  auto: boolean;
}

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
  /** Which nodes stopped reporting (set once the app is built). */
  liveness?: { isSilent(node: string): boolean };
  events: SchedulerEvents;
  devices: Map<string, Device>;
  reports: Map<string, NodeReport>;
  /** Moves may carry test faults (scheduler --allow-faults). */
  allowFaults: boolean;
  /** Next generated task id (t-N). */
  nextTaskId(): string;
  now(): Date;
}
