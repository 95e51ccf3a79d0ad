// The contract between the migration runner and each strategy
// (stop-and-copy, pre-copy, post-copy, auto), on both ends of a migration.
//
// Source side: the runner builds a MigrationContext, calls
// strategy.migrateSource(ctx), and afterwards commits (destination keeps the
// workload, source releases its frozen tree) or rolls back (destination
// aborts, source resumes). A strategy never commits or rolls back itself:
// it throws on failure and the runner restores the invariant that exactly
// one node runs the workload.
//
// Destination side: the source uploads images with ctx.sendFiles, then calls
// ctx.destination.restore({hook, params}); the destination agent runs the
// DestinationHook registered under that name (plain `criu restore` for
// stop-and-copy, lazy-pages daemon + `criu restore --lazy-pages` for post-copy).
import type { WorkloadRecord } from "../runtime/types.js";

// Post-copy (edge-agent/postcopy/strategy.ts) exports `postcopyStrategy` and
// `postcopyDestinationHook` (hook "postcopy"); registry.ts registers both.

export type StrategyName = "stopcopy" | "precopy" | "postcopy" | "auto";

export type Availability = { ok: true } | { ok: false; reason: string };

/** What the agent found at start; strategies decide availability from it. */
export interface Capabilities {
  criu: {
    present: boolean;
    version?: string;
    checkOk: boolean;
    features: Record<string, boolean>;
    error?: string;
    /** Whether `criu dump --tcp-established` works here, from a real dump at start (runtime/criu-tcp-probe.ts). */
    tcpEstablished?: { ok: boolean; reason?: string };
  };
  docker: { present: boolean; version?: string; checkpoint?: boolean; error?: string };
  cgroupCpu: { ok: boolean; path?: string; error?: string };
  /** Filled by the agent from each registered strategy's available(caps). */
  strategies: Record<string, Availability>;
}

export type MigrationPhase =
  | "pending"
  | "preparing"
  | "dumping"
  | "transferring"
  | "restoring"
  | "verifying"
  | "serving-pages"
  | "committing"
  | "done"
  | "rolling-back"
  | "failed";

export interface ProgressEvent {
  migrationId: string;
  phase: MigrationPhase;
  /** Bytes sent so far in the current transfer and in total (when known). */
  bytes?: number;
  totalBytes?: number;
  /** Transfer rate, bytes per second. */
  rateBps?: number;
  /** Post-copy: pages served on fault / pushed so far. */
  pagesOnFault?: number;
  pagesPushed?: number;
  message?: string;
  at: string;
}

export interface MigrationMetrics {
  strategy: Exclude<StrategyName, "auto">;
  /** Why this strategy ran (auto's choice, or "requested"). */
  reason: string;
  totalMs: number;
  /** Last answer of the workload on the source to first answer on the destination. */
  downtimeMs: number;
  bytesBeforeResume: number;
  bytesAfterResume: number;
  pagesOnFault: number;
  pagesPushed: number;
  /** Docker migrations: the container's image, and whether it had to be sent. */
  image?: ImageTransfer;
}

export interface ImageTransfer {
  ref: string;
  /** The engine's image id (sha256:…). */
  id: string;
  /** False when the destination's engine already had this id. */
  sent: boolean;
  bytes: number;
}

/** What a strategy's migrateSource resolves to; the runner adds totalMs, bytes and the reason. */
export interface MigrationResult {
  strategy: Exclude<StrategyName, "auto">;
  downtimeMs: number;
  pagesOnFault: number;
  pagesPushed: number;
  /** Extra bytes that did not go through sendFiles (e.g. pages a page server sent). */
  extraBytes?: { beforeResume?: number; afterResume?: number };
  /** Id of the workload on the destination agent. */
  destinationWorkloadId: string;
  image?: ImageTransfer;
}

export type TransferPhase = "before-resume" | "after-resume";

export interface SentFiles {
  files: number;
  bytes: number;
  ms: number;
}

/** Result of `criu` runs: exit code and the log file CRIU wrote. */
export interface CriuRun {
  code: number;
  logFile: string;
  /** Last lines of the log, for error messages. */
  tail: string;
}

/** The destination agent, as the source side's strategy sees it. */
export interface DestinationHandle {
  /** Base URL of the destination agent, e.g. http://10.213.3.2:7702. */
  url: string;
  /**
   * Asks the destination to restore the images uploaded so far with the hook
   * `hook` ("stopcopy" = plain restore, "postcopy" = lazy restore), passing
   * `params` to it. Resolves once the restored tree runs on the destination.
   */
  restore(hook: string, params?: Record<string, unknown>): Promise<{ workloadId: string; pid?: number }>;
}

/** The source side of the workload: freeze, resume, and the dump it came from. */
export interface SourceHandle {
  /**
   * `criu dump` of the tree into `dir`, leaving it stopped (not killed) so the
   * runner can resume it on failure. `extraArgs` are appended (e.g. --lazy-pages).
   */
  dump(dir: string, extraArgs?: string[]): Promise<CriuRun>;
  /** Runs another `criu` subcommand with a log captured in the work dir. */
  criu(args: string[], logName: string): Promise<CriuRun>;
}

export interface DowntimeProbe {
  /** Stops polling the source and waits for a request in flight, so no connection is open at the freeze. */
  quiesceSource(): Promise<void>;
  /** ms epoch of the last answer the workload gave on the source (polled since the migration began). */
  lastSourceAnswerAt(): number | undefined;
  /**
   * Polls the workload on the destination until it answers (or `timeoutMs`);
   * resolves downtime = first destination answer - last source answer, in ms.
   * Rejects when the destination never answers.
   */
  waitForDestination(timeoutMs?: number): Promise<number>;
}

export interface MigrationContext {
  migrationId: string;
  /** The workload on this (source) agent; direct runtime: `pid` is its pid-ns init. */
  workload: WorkloadRecord;
  /** Scratch directory on tmpfs for this migration's images; deleted afterwards. */
  workDir: string;
  destination: DestinationHandle;
  source: SourceHandle;
  /**
   * Streams `files` (names relative to `dir`) to the destination's image
   * directory, each checked there with its sha256. Bytes count toward the
   * phase's metric.
   */
  sendFiles(dir: string, files: string[], opts: { phase: TransferPhase }): Promise<SentFiles>;
  /** Counts bytes sent outside sendFiles (e.g. by a page server). */
  countBytes(phase: TransferPhase, bytes: number): void;
  emit(event: Omit<ProgressEvent, "migrationId" | "at">): void;
  probe: DowntimeProbe;
  /** Measured agent-to-agent bandwidth in bytes/s, when known. */
  bandwidthBps?: number;
  /** Fails the migration when aborted (the runner rolls back). */
  signal: AbortSignal;
  log(message: string): void;
}

export interface MigrationStrategy {
  name: Exclude<StrategyName, "auto">;
  available(caps: Capabilities): Availability;
  /** Runs the source side up to "the destination runs the workload". Throws to roll back. */
  migrateSource(ctx: MigrationContext): Promise<MigrationResult>;
}

/** Destination side: what a hook gets to restore uploaded images. */
export interface DestinationContext {
  migrationId: string;
  /** Directory holding the images the source sent (sha256-verified). */
  imagesDir: string;
  /** The workload record as the source described it (pid unset). */
  workload: WorkloadRecord;
  /** Params the source passed to DestinationHandle.restore. */
  params: Record<string, unknown>;
  /**
   * Runs `criu ARGS` with cwd imagesDir, log to imagesDir/LOGNAME. When
   * `detached`, resolves once spawned with the child's exit as `exited`.
   */
  criu(args: string[], logName: string): Promise<CriuRun>;
  criuDetached(args: string[], logName: string): { pid: number; exited: Promise<CriuRun> };
  log(message: string): void;
}

export interface RestoredTree {
  /** Host PID of the restored tree's root. */
  pid: number;
  /** Docker workloads: the container the hook started (the agent records it instead of adopting the pid). */
  containerId?: string;
  /** Resolves when background work (e.g. the lazy-pages daemon) has ended. */
  settled?: Promise<void>;
}

export interface DestinationHook {
  name: string;
  /** Restores the tree from ctx.imagesDir; resolves when it runs. Throws on failure (the agent cleans up). */
  restore(ctx: DestinationContext): Promise<RestoredTree>;
}
