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
  /** Its country and organisations, signed by a Privacy Certificate Authority (docs/data-protection.md). */
  attributeCert?: AttributeCertificate;
}

/**
 * POST /v1/nodes: a node's spec, and with a certificate the proof that the
 * registering agent holds the certified node key (src/pca/proof.ts).
 */
export interface NodeRegistration extends NodeSpec {
  proof?: RegistrationProof;
}

/** The node key's Ed25519 signature (base64url) over the registration and `at` (ISO time; the scheduler accepts ±5 minutes). */
export interface RegistrationProof {
  at: string;
  signature: string;
}

/** The signed part of an attribute certificate (src/pca/certificate.ts is its format). */
export interface AttributeCertificatePayload {
  version: 1;
  /** Random hex, so two certificates of one node differ. */
  serial: string;
  /** The node's name. */
  subject: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  organisations: string[];
  /** ISO times: valid from notBefore (inclusive) until notAfter (exclusive). */
  notBefore: string;
  notAfter: string;
  /** The node's Ed25519 public key, raw 32 bytes in base64url. */
  subjectPublicKey: string;
  /** The issuing PCA's key id: the first 16 bytes of SHA-256 of its raw public key, in hex. */
  issuer: string;
}

/** A node's attribute certificate: the payload and the PCA's Ed25519 signature over its canonical bytes (base64url). */
export interface AttributeCertificate {
  format: "fleximigrate-attribute-certificate";
  payload: AttributeCertificatePayload;
  signature: string;
}

/** Where a task may run: the countries allowed, and the organisations that use it (a node must be certified for each). */
export interface Regulation {
  countries?: string[];
  organisations?: string[];
}

/** A node as GET /v1/nodes shows it: capacity, use and the last report. */
export interface NodeView extends NodeSpec {
  usedCpus: number;
  /** usedCpus / cpus. */
  cpuUsage: number;
  placements: number;
  report?: Record<string, unknown>;
  reportedAt?: string;
  /** With data protection: whether its attribute certificate verifies now, and why not. */
  certificate?: { valid: boolean; reason?: string };
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
  /** How many requests a second its device sends (absent: unknown): rule 3 counts the ones a move would make late. */
  requestsPerSec?: number;
  /** Data protection: only nodes whose attribute certificate satisfies it (absent: unregulated). */
  regulation?: Regulation;
  /** What kind of service it is ("critical", "web", ...): migration policies read it as service_type. */
  serviceType?: string;
  /** Free labels; migration policies read them as "key=value" strings (`"tier=gold" in labels`). */
  labels?: Record<string, string>;
  /** The task is one container of a service group (moved together: POST /v1/groups/:name/migrations). */
  group?: TaskGroupMembership;
}

/** A task's place in its service group: which member it is, its start order, which replica. */
export interface TaskGroupMembership {
  /** The group (service) name. */
  name: string;
  /** The member (container role, e.g. "db"); its replicas share the name and the order. */
  member: string;
  /** Start order: lower starts (and restores) first; members of one order have no dependency between them. */
  order: number;
  /** Which replica of the member (0 when it has one). */
  replica: number;
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

export type MigrationComponent = "MigrationManager" | "PolicyEnforcer" | "ResourceAllocator" | "StateSynchronizer" | "NetworkManager" | "DataProtection";

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
  /** The migration policies' decision in PLANNING (scheduler --policies). */
  policy?: MovePolicyView;
}

/** Which migration policy decided a move, why, and what it asked (docs/policies.md). */
export interface MovePolicyView {
  /** The deciding policy; null when none matched and the default decided. */
  decidedBy: string | null;
  allow: boolean;
  reason: string;
  priority: "low" | "normal" | "high";
  requireStrategy?: "postcopy" | "precopy" | "stopcopy";
  gradualRedirect: boolean;
  notify: string[];
  constraints: { max_concurrent_migrations?: number; migration_duration?: number; max_bandwidth_mbps?: number };
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

/** One accepted batch of POST /v1/tasks/:id/samples, as the scheduler's `task.latency` event sums it up. */
export interface LatencyBatch {
  count: number;
  /** Send times of its first and last sample, ms since the epoch. */
  fromMs: number;
  toMs: number;
  /** Of the batch's e2eMs (nearest rank). */
  p50: number;
  p95: number;
  max: number;
  /** Answers later than the task's budget. */
  late: number;
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

/** What a group does when one of its members fails to move: move the moved ones back, or leave them. */
export type GroupFailurePolicy = "rollback" | "leave";

/** POST /v1/groups/:name/migrations. */
export interface GroupMoveInput {
  to: string;
  /** Default rollback. */
  onFailure?: GroupFailurePolicy;
  strategy?: MoveStrategy;
  /** Test faults per member task id (a scheduler started with --allow-faults only). */
  faults?: Record<string, MoveFaults>;
}

/** A member's migration state, beside its move's state machine state. */
export type GroupMemberPhase = "Start" | "Snapshot" | "Ready" | "In process" | "Migrated" | "Failed" | "Moved back";

export interface GroupMemberView {
  task: string;
  member: string;
  replica: number;
  order: number;
  /** Where it ran when the group's move was asked for. */
  from: string;
  /** Where it runs now (the placement). */
  runsOn: string;
  phase: GroupMemberPhase;
  /** Its move's state (null before its round). */
  state: MigrationState | null;
  /** Its move (m-N), and the move back after a group rollback. */
  migration: string | null;
  backMigration: string | null;
  backState: MigrationState | null;
  /** The agent's downtime of its move (frozen on the source until it ran on the destination). */
  downtimeMs: number | null;
  error?: string;
}

/** One measured transfer of a round: what the balancer learns from. */
export interface GroupTransferMeasure {
  task: string;
  bytes: number;
  ms: number;
  mbps: number;
}

export interface GroupRound {
  round: number;
  /** How many the balancer allowed at once, and why. */
  parallelism: number;
  reason: string;
  /** The members sent in this round (fewer than parallelism when fewer were eligible). */
  tasks: string[];
  startedAt: string;
  endedAt: string | null;
  transfers: GroupTransferMeasure[];
}

/**
 * running: rounds go on; completed: every member runs on the destination;
 * rolling-back: a member failed, moved ones go back; rolled-back: all back
 * where they were; left: a member failed and the moved ones stay (onFailure
 * leave); failed: refused before any move, or a move back failed too (see each member's runsOn).
 */
export type GroupMigrationState = "running" | "completed" | "rolling-back" | "rolled-back" | "left" | "failed";

/** GET /v1/groups/:name/migrations/:id. */
export interface GroupMigrationRecord {
  id: string;
  group: string;
  to: string;
  onFailure: GroupFailurePolicy;
  strategy: MoveStrategy;
  state: GroupMigrationState;
  requestedAt: string;
  finishedAt: string | null;
  /** Request until its outcome. */
  totalMs: number | null;
  error?: string;
  members: GroupMemberView[];
  rounds: GroupRound[];
  log: string[];
}

/** GET /v1/groups. */
export interface GroupView {
  name: string;
  members: Array<{ task: string; member: string; replica: number; order: number; node: string }>;
}

/** GET /v1/leadership: this scheduler's place among its replicas (etcd election "scheduler"). */
export interface LeadershipView {
  /** leader acts (placements, moves, agent calls); standby answers 503 NOT_LEADER to the API. */
  role: "leader" | "standby";
  /** embedded: one scheduler alone, always leader; etcd: replicas elect one. */
  store: "embedded" | "etcd";
  /** The leader's advertised base URL, null when none is known (or alone). */
  leader: string | null;
  /** The leader's term (the campaign key's create revision, decimal) while this one leads; null otherwise. */
  term: string | null;
  /** This scheduler's own advertised base URL (null when alone). */
  self: string | null;
}
