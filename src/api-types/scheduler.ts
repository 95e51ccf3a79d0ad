// Wire shapes of the scheduler's HTTP API (scheduler/service/*.ts), for its
// clients: the CLI, `up`, the agents' registration and load reports.

export type Tier = "edge" | "cloud";

/** POST /v1/nodes. */
export interface NodeSpec {
  name: string;
  tier: Tier;
  /** Cores. */
  cpus: number;
  netDelayMs: number;
  /** The node's agent, when one registers it. */
  endpoint?: string;
}

/** A node as GET /v1/nodes shows it: capacity, use and the last report. */
export interface NodeView extends NodeSpec {
  usedCpus: number;
  /** usedCpus / cpus. */
  cpuUsage: number;
  placements: number;
  report?: Record<string, unknown>;
  reportedAt?: string;
}

/** PUT /v1/nodes/:name/report: an agent's periodic load. The scheduler keeps unknown fields as sent. */
export interface NodeReport {
  cpu: { usage: number; cores: number };
  memory: { total: number; used: number };
  load: number | number[];
  workloads: Array<{ id: string; cpu: number; memoryBytes: number }>;
  capabilities: unknown;
}

export interface ReportReceipt {
  node: string;
  receivedAt: string;
}

/** POST /v1/devices. */
export interface DeviceRegistration {
  id: string;
  site?: string;
}

export interface DeviceView {
  id: string;
  site?: string;
  registeredAt: string;
  /** Registered by its first task rather than by hand. */
  auto: boolean;
  tasks: number;
}

/** POST /v1/tasks: the id is generated when absent. */
export interface TaskSubmission {
  id?: string;
  device: string;
  workload: string;
  inputClass: string;
  delayBudgetMs: number;
  /** Lower is less important: moved first. */
  priority?: number;
}

export interface TaskRequest extends TaskSubmission {
  id: string;
}

/** The migration manager's states (scheduler/migration/states.ts). */
export type MigrationState =
  | "PENDING"
  | "PLANNING"
  | "PREPARATION"
  | "EXECUTION"
  | "VERIFICATION"
  | "COMPLETED"
  | "ROLLING_BACK"
  | "FAILED";

export type MigrationComponent = "MigrationManager" | "PolicyEnforcer" | "ResourceAllocator" | "StateSynchronizer" | "NetworkManager";

export interface MigrationTimelineEntry {
  at: string;
  state: MigrationState;
  component: MigrationComponent;
  message: string;
}

/** What a managed move measured; null where nothing measured it. */
export interface MoveMetrics {
  /** Decision (the move's request) until its final state. */
  totalMs: number | null;
  /** The agent's downtime: frozen on the source until running on the destination. */
  frozenMs: number | null;
  dumpMs: number | null;
  transferMs: number | null;
  restoreMs: number | null;
  bytesBeforeResume: number | null;
  bytesAfterResume: number | null;
  pagesOnFault: number | null;
  pagesPushed: number | null;
  /** The controller's answer: request until every touched switch confirmed. */
  networkReconfigurationMs: number | null;
  /** Resume on the destination (as the scheduler saw it) until the redirect and DNS were done. */
  resumeToRedirectMs: number | null;
  /** The move's request until the source agent accepted the migration. */
  decisionToAgentStartMs: number | null;
  /** Downtime a device measured; null unless a device reports it. */
  deviceSeenDowntimeMs: number | null;
  /** After a rollback that followed a resume: how long the destination ran (its changes were discarded). */
  destinationRanMs: number | null;
  changesDiscarded: boolean | null;
}

/**
 * Test faults of one move, accepted only by a scheduler started with
 * --allow-faults: the agent's (a corrupted image chunk, a cut transfer, a
 * failing restore), a policy that denies it, a probe the service cannot answer.
 */
export interface MoveFaults {
  agent?: { corrupt?: boolean; cutAt?: number; failRestore?: boolean };
  /** The PLANNING policy hook denies the move with this reason. */
  policyDenies?: string;
  /** VERIFICATION probes this path instead of the service's (one it answers 404). */
  probePath?: string;
}

export type MoveStrategy = "auto" | "stopcopy" | "precopy" | "postcopy";

/** POST /v1/migrations: an operator moves a placed task to another node. */
export interface MoveInput {
  task: string;
  to: string;
  strategy?: MoveStrategy;
  faults?: MoveFaults;
}

/** A move the scheduler handed to its migration executor (the recording one fills only the first fields). */
export interface MoveRecord {
  id: string;
  task: TaskRequest;
  from: string;
  to: string;
  cpuShare: number;
  fromEndpoint?: string;
  toEndpoint?: string;
  /** Coarse status: requested (PENDING), running, done (COMPLETED), failed (FAILED). */
  status: "requested" | "running" | "done" | "failed";
  requestedAt: string;
  error?: string;
  /** Managed moves: the state machine's state, the strategy and why, the timeline, the log lines and the metrics. */
  state?: MigrationState;
  strategy?: string | null;
  reason?: string | null;
  timeline?: MigrationTimelineEntry[];
  log?: string[];
  metrics?: MoveMetrics;
  /** The strategy asked for (auto when absent). */
  requestedStrategy?: MoveStrategy;
  faults?: MoveFaults;
  /** The source agent's migration id, once it started one. */
  agentMigrationId?: string;
  /** The workload's id on the destination agent, once it runs there. */
  destinationWorkloadId?: string;
}

/** 201 of POST /v1/tasks. */
export interface Placed {
  task: TaskRequest;
  node: string;
  endpoint: string | null;
  /** Where the task's workload answers, wherever it runs (null when the node has no agent: nothing runs). */
  serviceIp: string | null;
  /** TASK.svc.<zone>, served by the controller's DNS (null without a controller). */
  dnsName: string | null;
  /** The workload's TCP port on serviceIp. */
  port: number | null;
  cpuShare: number;
  predictedDelayMs: number;
  /** 1: edge fits, 2: cloud, 3: edge after moving other tasks. */
  case: number | null;
  migrations: MoveRecord[];
}

/** 409 of POST /v1/tasks: nothing changed. */
export interface Refused {
  reason: string;
  message: string;
  task?: TaskRequest;
}

export type TaskOutcome = { outcome: "placed"; placed: Placed } | { outcome: "refused"; refused: Refused };

/** GET /v1/tasks/:id, GET /v1/placements. */
export interface PlacementView {
  request: TaskRequest;
  node: string;
  endpoint: string | null;
  cpuShare: number;
  predictedDelayMs: number;
  seq: number;
  /** Where its workload answers (null when nothing runs it: no agent). */
  serviceIp?: string | null;
  dnsName?: string | null;
  port?: number | null;
  /** True when its node stopped reporting (no report within --report-timeout). */
  unavailable?: boolean;
  /** True when its node's agent reports no such workload (two reports in a row). */
  missing?: boolean;
}

/** One entry of GET /v1/reconciliation. */
export interface Discrepancy {
  kind: "missing" | "unknown";
  node: string;
  /** missing: the task the scheduler placed there. */
  task?: string;
  workload: string;
  /** The first report that showed it. */
  since: string;
}

/** GET /v1/reconciliation: what the scheduler's store and its agents' reports disagree on. */
export interface Reconciliation {
  missing: Discrepancy[];
  unknown: Discrepancy[];
}

/** DELETE /v1/tasks/:id. */
export interface Released {
  released: string;
  node: string;
  /** An agent ran its workload and removed it. */
  workloadRemoved?: boolean;
  /** Why the workload could not be removed (the task is released anyway). */
  error?: string;
}

/** p50 and p95 of measured latency, ms (null before any sample). */
export interface LatencyQuantiles {
  p50: number | null;
  p95: number | null;
}

/**
 * GET /v1/models, keyed workload/inputClass: latencyMs = a*exp(b*share) or a*share^b,
 * the model serving new decisions. The other fields come from measured latency
 * (absent from a scheduler older than POST /v1/tasks/:id/samples).
 */
export interface ModelView {
  kind: "exponential" | "power";
  a: number;
  b: number;
  /** Where the serving model came from: the profile (samples or models file) or a refit from live samples. */
  source?: "profile" | "live";
  /** Held-out R² of the fit that made it; null when the profile did not say. */
  r2?: number | null;
  /** Measured samples that were checked against this model since it started serving. */
  samples?: number;
  /** Mean |measured - predicted| / predicted over those samples; null before any. */
  measuredError?: number | null;
  /** Recent measured end-to-end and processing latency of the class's tasks (all shares together). */
  e2eMs?: LatencyQuantiles;
  processingMs?: LatencyQuantiles;
  /** Refits that replaced the model so far. */
  refits?: number;
}

/** One request a device measured (POST /v1/tasks/:id/samples). */
export interface LatencySample {
  /** When it was sent, ms since the epoch. */
  at: number;
  /** Send to full answer, as the device saw it. */
  e2eMs: number;
  /** The workload's own time for it, when the workload reports one. */
  processingMs?: number;
}

/** Body of POST /v1/tasks/:id/samples (at most MAX_SAMPLES_PER_BATCH samples). */
export interface LatencySamples {
  samples: LatencySample[];
}

export const MAX_SAMPLES_PER_BATCH = 1000;

/** 202 of POST /v1/tasks/:id/samples. */
export interface SamplesReceipt {
  task: string;
  accepted: number;
  /** How many were checked against the class's model (not while the task moves, nor from before its last move). */
  modelled: number;
}

/** GET /v1/tasks/:id/latency: predicted against measured. */
export interface TaskLatencyView {
  task: string;
  /** Model class, workload/inputClass. */
  model: string;
  node: string;
  cpuShare: number;
  delayBudgetMs: number;
  /** The serving model at the task's share; e2e adds its node's network delay. */
  predicted: { processingMs: number; e2eMs: number };
  measured: {
    /** Every sample received for the task. */
    samples: number;
    /** Of them, those in the window the figures below describe. */
    window: number;
    e2eMs: LatencyQuantiles;
    processingMs: LatencyQuantiles;
    /** Answers later than the budget among the window's; null before any. */
    missRate: number | null;
  };
  modelSource: "profile" | "live";
}
