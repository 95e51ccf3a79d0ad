// What every step of the manager gets: the ports, the limits, the clock, and
// helpers that journal (note), persist (save) and watch for cancellation.
import type { MigrationComponent, MigrationState, MoveRecord } from "../../src/api-types/scheduler.js";
import type { RedirectStrategy } from "../../src/api-types/controller.js";
import type { LogLevel } from "./log.js";
import type { AdmissionPort, AgentDirectory, AgentPort, CapacityPort, MigrationPolicyHook, NetworkPort, ProberPort } from "./ports.js";
import type { ManagedMove } from "./record.js";
import type { MigrationStore } from "./store.js";

/** KubeVirt-like defaults. */
export interface MigrationLimits {
  /** Moves past PENDING at once in the cluster. */
  maxParallel: number;
  /** Moves past PENDING at once leaving one node. */
  maxOutboundPerNode: number;
  /** No phase or progress change for this long: the move fails. */
  progressTimeoutMs: number;
  /** The whole agent migration may take this long per GiB moved ... */
  completionMsPerGiB: number;
  /** ... and at least this long. */
  minCompletionMs: number;
  /** How often the agent's migration is asked while waiting (resume is seen within this). */
  pollMs: number;
}

export const DEFAULT_LIMITS: MigrationLimits = {
  maxParallel: 5,
  maxOutboundPerNode: 2,
  progressTimeoutMs: 150_000,
  completionMsPerGiB: 800_000,
  minCompletionMs: 60_000,
  pollMs: 10,
};

export interface ManagerDeps {
  agents: AgentDirectory;
  network: NetworkPort;
  prober: ProberPort;
  placement: CapacityPort;
  policy: MigrationPolicyHook;
  /** Data protection; absent: every destination is allowed. */
  admission?: AdmissionPort;
  store: MigrationStore;
  limits: MigrationLimits;
  redirectStrategy: RedirectStrategy;
  now(): Date;
  sleep(ms: number): Promise<void>;
  /** A policy's notify("...") for a move (the service turns it into a `policy.notify` event). */
  notify?(move: MoveRecord, policy: string | null, message: string): void;
}

export interface StepEnv extends ManagerDeps {
  note(m: ManagedMove, level: LogLevel, component: MigrationComponent, message: string): void;
  save(m: ManagedMove): Promise<void>;
  /** Throws Interrupted when the move was cancelled or the manager is closing. */
  checkpoint(m: ManagedMove): void;
  source(m: ManagedMove): AgentPort;
  destination(m: ManagedMove): AgentPort;
  /** Moves past PENDING other than `m` (for max_concurrent_migrations). */
  othersInFlight(m: ManagedMove): number;
}

export interface StepResult {
  next: MigrationState;
  component: MigrationComponent;
  message: string;
}

export type Step = (m: ManagedMove, env: StepEnv) => Promise<StepResult>;

/** A step's failure, naming the component that found it. */
export class StepFailure extends Error {
  override name = "StepFailure";
  constructor(
    readonly component: MigrationComponent,
    message: string,
  ) {
    super(message);
  }
}

/** The move was cancelled (its task released): handled as a failure, so changes are rolled back. */
export class Cancelled extends StepFailure {
  override name = "Cancelled";
  constructor() {
    super("MigrationManager", "cancelled: the task was released");
  }
}

/** The manager is closing: the move stops where it is, its stored state left for recovery. */
export class ShuttingDown extends Error {
  override name = "ShuttingDown";
}
