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
// stop-and-copy, lazy-pages daemon + `criu restore --lazy-pages` for post-copy,
// a container started from its checkpoint for Docker).
//
// Both contexts carry `runtime`: the part of the runtime (direct or Docker)
// the strategy or hook works with, R. registry.ts binds each strategy to its
// runtime; nothing here knows which runtimes exist.
import type { AgentCapabilities, Availability, Breakdown, MigrationMetrics, MigrationPhase, StrategyName } from "../../src/api-types/agent.js";
import type { SentFiles } from "../transfer/sender.js";
import type { RestoredTree, WorkloadRecord } from "../runtime/types.js";
import type { PeerAgent } from "./peer-agent.js";

/** Strategy names, availability and capabilities are what GET /v1/info shows: one definition, in src/api-types. */
/** So are a migration's phases and its closing metrics (GET /v1/migrations/:id). */
export type { Availability, Breakdown, MigrationMetrics, MigrationPhase, StrategyName };
export type Capabilities = AgentCapabilities;

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

/** The destination agent, as the source side's strategy sees it. */
export interface DestinationHandle {
  /** Base URL of the destination agent, e.g. http://10.213.3.2:7702. */
  url: string;
  /**
   * Asks the destination to restore the images uploaded so far with the hook
   * `hook` ("stopcopy" = plain restore, "postcopy" = lazy restore), passing
   * `params` to it. Resolves once the restored tree runs on the destination.
   */
  restore(hook: string, params?: Record<string, unknown>): Promise<{ workloadId: string; pid?: number; timings?: RestoredTree["timings"] }>;
  /**
   * Lets the destination's hook `hook` start its restore before the freeze
   * (its DestinationHook.prepare, with `params`); false when it cannot, and
   * restore() then works unprepared.
   */
  prepare?(hook: string, params?: Record<string, unknown>): Promise<boolean>;
}

export interface DowntimeProbe {
  /** Stops polling the source and waits for a request in flight, so no connection is open at the freeze. */
  quiesceSource(): Promise<void>;
  /**
   * The tasks froze at `at` (ms epoch), later than quiesceSource: a probe
   * that cannot see the workload answer (the process-tree probe) counts
   * downtime from there.
   */
  frozeAt?(at: number): void;
  /** ms epoch of the last answer the workload gave on the source (polled since the migration began). */
  lastSourceAnswerAt(): number | undefined;
  /**
   * Polls the workload on the destination until it answers (or `timeoutMs`);
   * resolves downtime = first destination answer - last source answer, in ms
   * (a workload the agent cannot ask over HTTP: its tree runs there, timed
   * from the freeze). Rejects when the destination never answers.
   */
  waitForDestination(timeoutMs?: number): Promise<number>;
}

export type PageWire = "tls" | "relay" | "tcp";

export interface MigrationContext<R = unknown> {
  migrationId: string;
  /** The workload on this (source) agent; direct runtime: `pid` is its pid-ns init. */
  workload: WorkloadRecord;
  /** Scratch directory on tmpfs for this migration's images; deleted afterwards. */
  workDir: string;
  /** The runtime the workload runs in, as far as the strategy uses it. */
  runtime: R;
  /** The destination agent (strategies ask it about images; the runner opens, commits and aborts). */
  peer: PeerAgent;
  /** The restore step, through the runner (which adds the request's test faults). */
  destination: DestinationHandle;
  /**
   * Streams `files` (names relative to `dir`) to the destination's image
   * directory, each checked there with its sha256. Bytes count toward the
   * phase's metric.
   */
  sendFiles(dir: string, files: string[], opts: { phase: TransferPhase }): Promise<SentFiles>;
  /** Records where the frozen time went (the runner adds transfer, restore and first answer itself). */
  timing?(part: Breakdown): void;
  /** Counts bytes sent outside sendFiles (e.g. by a page server). */
  countBytes(phase: TransferPhase, bytes: number): void;
  /** Counts pages a post-copy page server sent, per reply: on a fault or by the background fetch. */
  countPages?(kind: "fault" | "push", pages: number): void;
  emit(event: Omit<ProgressEvent, "migrationId" | "at">): void;
  /**
   * The workload froze with its network fenced (at `frozenAt`): no frame
   * reaches it, nor the destination's still-fenced copy, so the service's
   * traffic may be redirected now rather than after the resume.
   */
  fenced?(frozenAt: number): void;
  /** Set before a rollback once the destination ran the workload (its clients' connections moved on). */
  destinationRan?: boolean;
  probe: DowntimeProbe;
  /** Measured agent-to-agent bandwidth in bytes/s, when known. */
  bandwidthBps?: number;
  /**
   * How pages cross to the destination: "tls" (default: CRIU's own --tls, per-migration certificates for
   * both ends), "relay" (our loopback relay beside the daemon, TLS pinned, token first) or "tcp" (the relay, token, no TLS).
   */
  pageWire?: PageWire;
  /** Fails the migration when aborted (the runner rolls back). */
  signal: AbortSignal;
  log(message: string): void;
}

export interface MigrationStrategy<R = unknown> {
  name: Exclude<StrategyName, "auto">;
  available(caps: Capabilities): Availability;
  /** Runs the source side up to "the destination runs the workload". Throws to roll back. */
  migrateSource(ctx: MigrationContext<R>): Promise<MigrationResult>;
  /**
   * Rollback on the source: the workload runs on here. Once the destination
   * ran it, this runs BEFORE the destination drops its copy (rollback.ts).
   */
  resumeSource(ctx: MigrationContext<R>): Promise<void>;
  /** Commit: lets go of what migrateSource kept past its return (post-copy's frozen tree and page server). */
  release?(ctx: MigrationContext<R>): Promise<void>;
}

/** Destination side: what a hook gets to restore uploaded images. */
export interface DestinationContext<R = unknown> {
  migrationId: string;
  /** Directory holding the images the source sent (sha256-verified). */
  imagesDir: string;
  /** The workload record as the source described it (pid unset). */
  workload: WorkloadRecord;
  /** Params the source passed to DestinationHandle.restore. */
  params: Record<string, unknown>;
  /** The runtime the workload will run in, as far as the hook uses it. */
  runtime: R;
  /** The fresh network namespace (fenced) to restore a workload with its own network in. */
  netns?: string;
  /** The migration's one-time token (drawn at open): the page stream from the source carries it. */
  token?: string;
  /** What this hook's prepare() returned for this migration, when it ran with the same hook. */
  prepared?: PreparedHook;
  /** Aborted when the migration is abandoned mid-restore: the hook ends what it started (CRIU and the half-made tree). */
  signal?: AbortSignal;
  log(message: string): void;
}

/** Work a hook started before the source froze; cancelled when the migration ends without its restore. */
export interface PreparedHook {
  cancel(): Promise<void>;
}

export interface DestinationHook<R = unknown> {
  name: string;
  /** Optional: starts what the restore can before the source freezes (called with the restore's params; images not there yet). */
  prepare?(ctx: DestinationContext<R>): Promise<PreparedHook>;
  /** Restores the tree from ctx.imagesDir; resolves when it runs. Throws on failure (the agent cleans up). */
  restore(ctx: DestinationContext<R>): Promise<RestoredTree>;
}
