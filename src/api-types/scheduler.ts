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

/** A move the scheduler handed to its migration executor. */
export interface MoveRecord {
  id: string;
  task: TaskRequest;
  from: string;
  to: string;
  cpuShare: number;
  fromEndpoint?: string;
  toEndpoint?: string;
  status: "requested" | "running" | "done" | "failed";
  requestedAt: string;
  error?: string;
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
}

/** DELETE /v1/tasks/:id. */
export interface Released {
  released: string;
  node: string;
}

/** GET /v1/models, keyed workload/inputClass: latencyMs = a*exp(b*share) or a*share^b. */
export interface ModelView {
  kind: "exponential" | "power";
  a: number;
  b: number;
}
