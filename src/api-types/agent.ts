// Wire shapes of the edge agent's HTTP API (edge-agent/service/*.ts), for its
// clients: the CLI, and other agents (the agent-to-agent migration protocol).

export type StrategyName = "auto" | "stopcopy" | "precopy" | "postcopy";

export type Availability = { ok: true } | { ok: false; reason: string };

export interface AgentCapabilities {
  criu: {
    present: boolean;
    version?: string;
    checkOk: boolean;
    features: Record<string, boolean>;
    error?: string;
    /** Whether `criu dump --tcp-established` works on the node, from a real dump at the agent's start. */
    tcpEstablished?: { ok: boolean; reason?: string };
  };
  docker: { present: boolean; version?: string; checkpoint?: boolean; error?: string };
  cgroupCpu: { ok: boolean; path?: string; error?: string };
  strategies: Record<string, Availability>;
}

/** GET /v1/info. */
export interface AgentInfo {
  node: string;
  tier: string;
  url: string;
  capabilities: AgentCapabilities;
  /** The Open vSwitch bridge this agent attaches workload namespaces to (agent flag --bridge), when it has one. */
  network?: { bridge: string; dpid: string | null };
}

/**
 * A workload's own network: the agent makes a network namespace holding this
 * IP and MAC on a veth whose other end is a port of the agent's OVS bridge.
 * The same IP and MAC are made again wherever the workload moves.
 */
export interface WorkloadNetworkInput {
  ip: string;
  prefixLen: number;
  /** Fixed, locally administered (02:…). */
  mac: string;
  /** Default route inside the namespace, when the service must reach beyond its subnet. */
  gateway?: string;
}

/** The network a workload holds on this agent. */
export interface WorkloadNetworkView extends WorkloadNetworkInput {
  /** Network namespace name (ip netns). */
  namespace: string;
  bridge: string;
  /** The veth end that is a port of the bridge. */
  port: string;
  /** Its OpenFlow port number on the bridge (a redirect's target), null until OVS assigned one. */
  ofport: number | null;
  /** The bridge's datapath id, 16 hex digits. */
  dpid: string | null;
}

/** POST /v1/workloads: an image (Docker) or a command (a process tree checkpointed with CRIU). */
export interface WorkloadInput {
  id?: string;
  image?: string;
  command?: string[];
  /** Cores. */
  cpuLimit: number;
  ports?: number[];
  labels?: Record<string, string>;
  /** HTTP path the downtime probe asks on the first port. */
  probePath?: string;
  env?: Record<string, string>;
  /** Its own network namespace with this address (direct runtime, agent with a bridge). */
  network?: WorkloadNetworkInput;
}

export interface WorkloadView {
  id: string;
  runtime: "direct" | "docker";
  spec: WorkloadInput & { ports: number[]; labels: Record<string, string> };
  state: "running" | "frozen" | "migrating" | "stopped" | "failed" | "exited";
  createdAt: string;
  pid?: number;
  cgroup?: string;
  containerId?: string;
  namespaces?: string[];
  migratedFrom?: { agent: string; workloadId: string; migrationId: string };
  /** With state "exited": its exit status or the signal that ended it (when the runtime can tell), and when. */
  exit?: { code?: number; signal?: string; at: string; reason?: string };
  network?: WorkloadNetworkView;
  /** What an agent restart left it in, when it is not plain (e.g. a migration out cut short). */
  note?: string;
}

/** POST /v1/migrations. */
export interface MigrationInput {
  workload: string;
  /** The destination agent's base URL, as this agent reaches it. */
  destination: string;
  strategy?: StrategyName;
  compress?: boolean;
  bandwidthBps?: number;
  /**
   * "auto" (default): the source commits by itself once the destination runs the
   * workload. "manual": it stops in phase "awaiting-commit", keeping its images and
   * its frozen tree, until POST /v1/migrations/:id/commit or /rollback (the
   * scheduler's migration manager verifies the service through the network first).
   */
  commit?: "auto" | "manual";
  /** Cores the workload gets on the destination (its model's need there); default: what it has here. */
  cpuLimit?: number;
  /** Test faults; accepted only by an agent started with --allow-faults. */
  faults?: { corrupt?: boolean; cutAt?: number; failRestore?: boolean };
}

export type MigrationPhase =
  | "pending"
  | "preparing"
  | "dumping"
  | "transferring"
  | "restoring"
  | "verifying"
  | "serving-pages"
  | "awaiting-commit"
  | "committing"
  | "done"
  | "rolling-back"
  | "failed";

export interface MigrationMetrics {
  strategy: Exclude<StrategyName, "auto">;
  reason: string;
  totalMs: number;
  downtimeMs: number;
  bytesBeforeResume: number;
  bytesAfterResume: number;
  pagesOnFault: number;
  pagesPushed: number;
  image?: { ref: string; id: string; sent: boolean; bytes: number };
  /** Where the frozen time went, ms (each present when the strategy measured it). */
  breakdown?: Breakdown;
}

/**
 * Where a migration's frozen time went, ms: freeze (freeze decision to CRIU
 * started: fencing, our preparation), dump (CRIU until the images needed to
 * resume are written), transfer (those images to the destination), restore
 * (the restore call, destination's work included), lazyReady (post-copy: the
 * destination's lazy-pages daemon ready, within restore), firstAnswer (restore
 * done to the workload's first answer there).
 */
export interface Breakdown {
  freezeMs?: number;
  dumpMs?: number;
  transferMs?: number;
  restoreMs?: number;
  lazyReadyMs?: number;
  firstAnswerMs?: number;
}

/** GET /v1/migrations/:id: live phase and progress, the metrics at the end. */
export interface MigrationView {
  id: string;
  workloadId: string;
  destination: string;
  requested: StrategyName;
  strategy?: string;
  reason?: string;
  phase: MigrationPhase;
  status: "running" | "succeeded" | "failed";
  error?: string;
  progress: { bytes: number; totalBytes: number; rateBps: number };
  metrics?: MigrationMetrics;
  destinationWorkloadId?: string;
  /**
   * When the source froze with its network fenced (post-copy's lazy dump and
   * full dumps of a workload with its own network): from here no frame
   * reaches either copy, so the service may be redirected before the resume.
   */
  frozenAt?: string;
  /** When the workload first ran on the destination (the moment a redirect should follow). */
  resumedAt?: string;
  /** Where it answers there: the destination's bridge port, for the redirect (a workload with its own network); known from the open on. */
  destinationNetwork?: { dpid: string | null; ofport: number | null };
  /** A rollback after resume: how long the destination ran, and that its changes since the freeze were discarded. */
  rollback?: { afterResume: boolean; destinationRanMs?: number; changesDiscarded: boolean };
  startedAt: string;
  endedAt?: string;
}

/** A resolved neighbour (ARP) entry of a workload's namespace. */
export interface Neighbour {
  ip: string;
  mac: string;
}

/** POST /v1/incoming: the source opens a migration on the destination. */
export interface IncomingOpen {
  /** The workload's resolved neighbours at the source: written into its namespace here, so its first frame after the resume needs no ARP. */
  neighbours?: Neighbour[];
  migrationId: string;
  /** The workload's record as the source has it (runtime details of the source left out). */
  workload: { id: string; spec: object } & Record<string, unknown>;
  /** The source agent's base URL: the destination polls it until commit. */
  source: string;
}

/** 201 of POST /v1/incoming: where the arriving workload will answer (fenced until it runs). */
export interface IncomingOpened {
  ok: true;
  /** The migration's one-time token: every later call of this migration carries it (header x-migration-token). */
  token?: string;
  /** Its bridge port on the destination, made at open: a redirect may point there once the source is fenced. */
  network?: { dpid: string | null; ofport: number | null };
}

/** POST /v1/incoming/:id/restore. */
export interface RestoreInput {
  /** The strategy's restore hook on the destination. */
  hook: string;
  params?: Record<string, unknown>;
}

export interface Restored {
  workloadId: string;
  pid?: number;
  /** A workload with its own network: the bridge port it answers on here (a redirect's target). */
  network?: { dpid: string | null; ofport: number | null };
  /** The destination's own share of the restore, ms (lazyReadyMs: its lazy-pages daemon). */
  timings?: { lazyReadyMs?: number; criuRestoreMs?: number };
}

/** GET /v1/images?ref= and POST /v1/images. */
export interface ImageIdView {
  ref: string;
  id: string;
}

/** POST /v1/images: `docker load` of an image tar that arrived with an open incoming migration. */
export interface ImageLoad {
  migrationId: string;
  file: string;
  ref: string;
}
