// What a workload is, as the agent records it, and the interface every
// runtime (direct CRIU, Docker) offers behind it.
import type { WorkloadNetworkInput, WorkloadNetworkView } from "../../src/api-types/agent.js";

export const RUNTIME_KINDS = ["direct", "docker"] as const;
export type RuntimeKind = (typeof RUNTIME_KINDS)[number];

/** What a client asks for in POST /v1/workloads: an image (Docker; command optional) or a command (direct). */
export interface WorkloadSpec {
  /** Docker image (runtime "docker"). */
  image?: string;
  /** argv of a process tree (runtime "direct"). */
  command?: string[];
  /** CPU limit in cores (0.5 = half a core). */
  cpuLimit: number;
  /** TCP ports the workload listens on (on every address of its host). */
  ports: number[];
  /** Free-form labels, e.g. regulation constraints ("region": "eu"). */
  labels: Record<string, string>;
  /** HTTP path the downtime probe asks on the first port; "/" unless given. */
  probePath?: string;
  /** Extra environment for the workload. */
  env?: Record<string, string>;
  /** Its own network namespace with this IP and MAC on the agent's bridge (direct runtime). */
  network?: WorkloadNetworkInput;
}

export type WorkloadState = "running" | "frozen" | "migrating" | "stopped" | "failed" | "exited";

/** How a workload's process tree or container ended, as far as the runtime can tell. */
export interface WorkloadExit {
  /**
   * The root's exit status. Direct trees report it through their launcher
   * (unshare -f), which re-raises a fatal signal but cannot re-raise SIGKILL:
   * a tree killed with SIGKILL reads as code 1.
   */
  code?: number;
  /** The signal that ended it, e.g. "SIGKILL". */
  signal?: string;
  /** When the runtime noticed. */
  at: string;
  /** Why code and signal are missing, when they are (the runtime could not know them), or how it ended otherwise. */
  reason?: string;
}

/** A workload on this agent. `pid` is the host PID of the tree's root (pid-ns init). */
export interface WorkloadRecord {
  id: string;
  runtime: RuntimeKind;
  spec: WorkloadSpec;
  state: WorkloadState;
  createdAt: string;
  /** Direct runtime: host PID of the tree's root, the init of its own PID namespace. */
  pid?: number;
  /** Direct runtime: cgroup v1 cpu directory holding the tree. */
  cgroup?: string;
  /** Docker runtime: container id. */
  containerId?: string;
  /** Namespaces the tree owns (direct runtime): always pid and mnt. */
  namespaces?: string[];
  /** Where the workload came from, when it arrived by migration. */
  migratedFrom?: { agent: string; workloadId: string; migrationId: string };
  /** Set with state "exited": how it ended. */
  exit?: WorkloadExit;
  /** The network namespace and bridge port it holds on this agent (spec.network made here). */
  network?: WorkloadNetworkView;
  /** What an agent restart left it in, when it is not plain (e.g. a migration out cut short). */
  note?: string;
}

export interface WorkloadStats {
  id: string;
  /** CPU used, in cores, averaged since the previous sample. */
  cpu: number;
  memoryBytes: number;
}

/** A workload a migration restored on this node (by a destination hook), before its runtime adopts it. */
export interface RestoredTree {
  /** Host PID of the restored tree's root. */
  pid: number;
  /** Docker workloads: the container the hook started. */
  containerId?: string;
  /** Resolves when background work (e.g. the lazy-pages daemon) has ended. */
  settled?: Promise<void>;
  /** How long the hook's steps took, ms (post-copy: lazy-pages daemon ready, criu restore). */
  timings?: { lazyReadyMs?: number; criuRestoreMs?: number };
}

export type Reattached = { runs: true } | { runs: false; exit: WorkloadExit };

/** One runtime: starts, stops and measures workloads; checkpoints them with CRIU. */
export interface Runtime {
  readonly kind: RuntimeKind;
  create(id: string, spec: WorkloadSpec): Promise<WorkloadRecord>;
  /** Makes a restored tree this runtime's workload `record` (its cgroup, ports or container). */
  adopt(record: WorkloadRecord, tree: RestoredTree): Promise<WorkloadRecord>;
  stop(record: WorkloadRecord): Promise<void>;
  /** undefined while the workload runs (or is frozen); how it ended once it is gone. */
  exited(record: WorkloadRecord): Promise<WorkloadExit | undefined>;
  remove(record: WorkloadRecord): Promise<void>;
  /**
   * After an agent restart: whether the recorded workload still runs as
   * recorded (direct: PID, `startTime`, group; Docker: its container), taking
   * it back if so (a running one's ports relayed again); else how it ended.
   */
  reattach(record: WorkloadRecord, startTime: number | undefined): Promise<Reattached>;
  stats(record: WorkloadRecord): Promise<WorkloadStats>;
  logs(record: WorkloadRecord): Promise<string>;
}
