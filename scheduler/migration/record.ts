// One managed move as the manager keeps it and the store saves it: the wire
// record (MoveRecord) plus what a restarted scheduler needs to finish or undo
// it (the service's address, what was already changed).
import type { MigrationState, MoveFaults, MoveMetrics, MovePolicyView, MoveRecord, MoveStrategy, TaskRequest } from "../../src/api-types/scheduler.js";
import type { QueuePlace } from "./ports.js";
import type { ServiceBinding } from "../executor/executor.js";
import { statusOf } from "./states.js";

/** What has been changed so far, so that a rollback undoes exactly that. */
export interface Changes {
  reserved: boolean;
  pathEnsured: boolean;
  agentStarted: boolean;
  /** Controller redirect ids to roll back. */
  redirectIds: number[];
  dnsSet: boolean;
  agentRolledBack: boolean;
  committed: boolean;
}

export interface ManagedMove {
  id: string;
  task: TaskRequest;
  from: string;
  to: string;
  cpuShare: number;
  fromEndpoint: string;
  toEndpoint: string;
  /** The workload's id on the source agent. */
  workloadId: string;
  service?: ServiceBinding;
  state: MigrationState;
  strategy: string | null;
  reason: string | null;
  requestedAt: string;
  updatedAt: string;
  error?: string;
  agentMigrationId?: string;
  requestedStrategy?: MoveStrategy;
  /** Test faults (a scheduler started with --allow-faults only). */
  faults?: MoveFaults;
  /** The workload's id on the destination agent, once it runs there. */
  destinationWorkloadId?: string;
  /** When the source agent accepted the migration (ms since epoch): the completion timeout counts from it. */
  agentStartedAtMs?: number;
  /** When the scheduler saw the workload resume on the destination (ms since epoch). */
  resumedAtMs?: number;
  /** When the source froze with its network fenced (ms since epoch, the agent's clock). */
  frozenAtMs?: number;
  /** The destination port the service was redirected to, and when that was done (ms since epoch). */
  redirectedTo?: { dpid: string; ofport: number; atMs: number };
  /** Its place in the queue while PENDING (a policy preview; absent: normal, no cap). */
  queue?: QueuePlace;
  /** The policy decision of PLANNING and what it asks of the move. */
  policy?: MovePolicyView;
  /** migration_duration: past this (ms since epoch) the move is rolled back. */
  deadlineMs?: number;
  changes: Changes;
  metrics: MoveMetrics;
  timeline: MoveRecord["timeline"] & object;
  log: string[];
}

export function emptyMetrics(): MoveMetrics {
  return {
    totalMs: null,
    frozenMs: null,
    dumpMs: null,
    transferMs: null,
    restoreMs: null,
    bytesBeforeResume: null,
    bytesAfterResume: null,
    pagesOnFault: null,
    pagesPushed: null,
    networkReconfigurationMs: null,
    resumeToRedirectMs: null,
    decisionToAgentStartMs: null,
    deviceSeenDowntimeMs: null,
    destinationRanMs: null,
    changesDiscarded: null,
  };
}

export function noChanges(): Changes {
  return { reserved: false, pathEnsured: false, agentStarted: false, redirectIds: [], dnsSet: false, agentRolledBack: false, committed: false };
}

/** The wire view: GET /v1/migrations. Copies, so callers cannot edit the record. */
export function viewOf(m: ManagedMove): MoveRecord {
  return structuredClone({
    id: m.id,
    task: m.task,
    from: m.from,
    to: m.to,
    cpuShare: m.cpuShare,
    fromEndpoint: m.fromEndpoint,
    toEndpoint: m.toEndpoint,
    status: statusOf(m.state),
    requestedAt: m.requestedAt,
    ...(m.error === undefined ? {} : { error: m.error }),
    state: m.state,
    strategy: m.strategy,
    reason: m.reason,
    timeline: m.timeline,
    log: m.log,
    metrics: m.metrics,
    ...(m.requestedStrategy === undefined ? {} : { requestedStrategy: m.requestedStrategy }),
    ...(m.faults === undefined ? {} : { faults: m.faults }),
    ...(m.agentMigrationId === undefined ? {} : { agentMigrationId: m.agentMigrationId }),
    ...(m.destinationWorkloadId === undefined ? {} : { destinationWorkloadId: m.destinationWorkloadId }),
    ...(m.policy === undefined ? {} : { policy: m.policy }),
  });
}
