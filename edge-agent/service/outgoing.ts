// Source side of a migration: runs the strategy, then commits (by itself, or
// on POST .../commit with commit "manual") or rolls back (rollback.ts orders
// it) so that the workload always runs somewhere, and in the end on one node.
import { mkdir, rm } from "node:fs/promises";
import { newOutgoingId } from "../state/sweep.js";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Restored } from "../../src/api-types/agent.js";
import { ApiError } from "../../src/http/api-error.js";
import { imageNote } from "../migration/docker-stopcopy.js";
import { applyEvent, commitRefusal, type MigrationRecord, newMigration, rollbackRefusal } from "../migration/machine.js";
import { startProbe, startTreeProbe } from "../migration/probe.js";
import { rollBack } from "../migration/rollback.js";
import { type AgentRuntimes, type RunnableStrategy, type RunnerContext, strategyFamily } from "../migration/registry.js";
import type { Breakdown, Capabilities, MigrationMetrics, ProgressEvent, StrategyName, TransferPhase } from "../migration/strategy.js";
import { readNeighbours } from "../runtime/neighbours.js";
import type { Runtime, WorkloadRecord } from "../runtime/types.js";
import { sendFiles } from "../transfer/sender.js";
import { tlsFetch } from "../../src/http/tls-fetch.js";
import type { AgentMetrics } from "./metrics.js";
import { type AgentOptions, COMMIT_TIMEOUT_MS, ORPHAN_MS } from "./options.js";
import { MIGRATION_TOKEN_HEADER } from "./migration-token.js";
import { peerAgent } from "./peer-agent.js";

export interface MigrationRequest {
  workload: string;
  destination: string;
  strategy: StrategyName;
  compress?: boolean;
  bandwidthBps?: number;
  /** "manual": stop in awaiting-commit until commit() or rollback(). */
  commit?: "auto" | "manual";
  /** Cores the workload gets on the destination. */
  cpuLimit?: number;
  faults?: { corrupt?: boolean; cutAt?: number; failRestore?: boolean };
}

/** A rollback asked for (POST .../rollback, or the awaiting-commit timeout). */
class RollbackRequested extends Error {}

interface Live {
  abort: AbortController;
  /** Set while awaiting commit: the decision ends the wait. */
  decide?: (d: "commit" | "rollback", why: string) => void;
  ended: Promise<void>;
}

/** What the source side uses of the agent. */
export interface SourceHost extends AgentRuntimes {
  readonly opts: AgentOptions;
  readonly caps: Capabilities;
  readonly workloads: Map<string, WorkloadRecord>;
  readonly lastStats: ReadonlyMap<string, number>;
  runtimeFor(record: WorkloadRecord): Runtime;
  publish(event: Record<string, unknown>): void;
  log(message: string): void;
  readonly metrics: AgentMetrics;
}

export class OutgoingMigrations {
  readonly migrations = new Map<string, MigrationRecord>();
  private readonly live = new Map<string, Live>();
  private lastBandwidthBps?: number;

  constructor(private readonly host: SourceHost) {}

  /** Validates, then runs the migration in the background; returns its record. */
  async start(req: MigrationRequest): Promise<MigrationRecord> {
    const host = this.host;
    const workload = host.workloads.get(req.workload);
    if (!workload) throw ApiError.badRequest(`no workload ${req.workload} on this agent`);
    if (workload.state !== "running") throw ApiError.badRequest(`workload ${req.workload} is ${workload.state}`);
    const family = strategyFamily(workload.runtime, host);
    const refusal = family.refuses(req.strategy);
    if (refusal) throw ApiError.badRequest(refusal);
    if (req.faults && !host.opts.allowFaults) throw ApiError.badRequest("faults are accepted only by an agent started with --allow-faults");
    let url: URL;
    try {
      url = new URL(req.destination);
    } catch {
      throw ApiError.badRequest(`destination is not a URL: ${req.destination}`);
    }
    // Agents with certificates talk HTTPS to each other, --insecure ones plain HTTP; never a mix.
    const scheme = host.opts.clientTls ? "https:" : "http:";
    if (url.protocol !== scheme) throw ApiError.badRequest(`destination must be an ${scheme}// agent URL`);
    const workingSet = (await host.runtimeFor(workload).stats(workload).catch(() => undefined))?.memoryBytes ?? host.lastStats.get(workload.id) ?? 0;
    if (workload.state !== "running") throw ApiError.badRequest(`workload ${req.workload} is ${workload.state}`);
    const choice = family.choose(req.strategy, { caps: host.caps, workingSetBytes: workingSet, bandwidthBps: this.lastBandwidthBps ?? host.opts.bandwidthBps });
    if ("refused" in choice) throw ApiError.badRequest(choice.refused);
    const { strategy, reason } = choice;
    const rec = { ...newMigration(newOutgoingId(), workload.id, url.origin, req.strategy), strategy: strategy.name, reason };
    this.migrations.set(rec.id, rec);
    workload.state = "migrating";
    const live: Live = { abort: new AbortController(), ended: Promise.resolve() };
    this.live.set(rec.id, live);
    live.ended = this.run(rec.id, workload, strategy, reason, req, url.origin, live).finally(() => this.live.delete(rec.id));
    return rec;
  }

  /** POST /v1/migrations/:id/commit: the source lets go, the destination keeps the workload. */
  async commit(id: string): Promise<MigrationRecord> {
    const rec = this.migrations.get(id);
    if (!rec) throw ApiError.notFound(`no migration ${id}`);
    const refusal = commitRefusal(rec);
    const live = this.live.get(id);
    if (refusal || !live?.decide) throw ApiError.conflict(refusal ?? `migration ${id} is not awaiting commit`, { phase: rec.phase });
    live.decide("commit", "commit requested");
    await live.ended;
    return this.migrations.get(id)!;
  }

  /** POST /v1/migrations/:id/rollback: the workload runs on the source again, then the destination's copy goes. */
  async rollback(id: string): Promise<MigrationRecord> {
    const rec = this.migrations.get(id);
    if (!rec) throw ApiError.notFound(`no migration ${id}`);
    const refusal = rollbackRefusal(rec);
    const live = this.live.get(id);
    if (refusal || !live) throw ApiError.conflict(refusal ?? `migration ${id} is over`, { phase: rec.phase });
    if (live.decide) live.decide("rollback", "rollback requested");
    else live.abort.abort(new RollbackRequested("rollback requested"));
    await live.ended;
    return this.migrations.get(id)!;
  }

  private update(id: string, ev: Omit<ProgressEvent, "migrationId" | "at">): void {
    const rec = this.migrations.get(id);
    if (!rec) return;
    const full: ProgressEvent = { ...ev, migrationId: id, at: new Date().toISOString() };
    this.migrations.set(id, applyEvent(rec, full));
    this.host.publish({ type: "migration", ...full });
  }

  private patch(id: string, fields: Partial<MigrationRecord>): MigrationRecord {
    const rec = { ...this.migrations.get(id)!, ...fields };
    this.migrations.set(id, rec);
    return rec;
  }

  /** The destination runs the workload: recorded and published at once (the scheduler redirects the network on it). */
  private resumed(id: string, workload: WorkloadRecord, destinationWorkloadId: string, at: number, destinationNetwork?: Restored["network"]): void {
    const rec = this.patch(id, { resumedAt: new Date(at).toISOString(), destinationWorkloadId, ...(destinationNetwork && { destinationNetwork }) });
    this.host.publish({
      type: "migration",
      migrationId: id,
      phase: rec.phase,
      resumedAt: rec.resumedAt,
      workloadId: workload.id,
      destination: rec.destination,
      destinationWorkloadId,
      ...(workload.spec.network && { network: workload.spec.network }),
      ...(destinationNetwork && { destinationNetwork }),
      message: "the workload runs on the destination",
      at: rec.resumedAt,
    });
  }

  /** Frozen and fenced: published at once (the scheduler may redirect the network during the frozen window). */
  private fenced(id: string, at: number): void {
    const rec = this.patch(id, { frozenAt: new Date(at).toISOString() });
    this.host.publish({
      type: "migration",
      migrationId: id,
      phase: rec.phase,
      frozenAt: rec.frozenAt,
      ...(rec.destinationNetwork && { destinationNetwork: rec.destinationNetwork }),
      message: "the workload froze, its network fenced",
      at: rec.frozenAt,
    });
  }

  /** Awaiting commit: resolves on commit; throws RollbackRequested on rollback or after the timeout. */
  private awaitDecision(id: string, live: Live): Promise<void> {
    const timeoutMs = this.host.opts.commitTimeoutMs ?? COMMIT_TIMEOUT_MS;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => decide("rollback", `no commit within ${timeoutMs} ms`), timeoutMs);
      const decide = (d: "commit" | "rollback", why: string) => {
        clearTimeout(timer);
        live.decide = undefined;
        if (d === "commit") resolve();
        else reject(new RollbackRequested(why));
      };
      live.decide = decide;
      this.update(id, { phase: "awaiting-commit", message: `awaiting commit (rolls back after ${timeoutMs} ms)` });
    });
  }

  private async run(id: string, workload: WorkloadRecord, strategy: RunnableStrategy, reason: string, req: MigrationRequest, dest: string, live: Live): Promise<void> {
    const host = this.host;
    const started = Date.now();
    const workDir = path.join(host.opts.workRoot, id);
    const bytes: Record<TransferPhase, number> = { "before-resume": 0, "after-resume": 0 };
    let transferMs = 0;
    const peer = peerAgent(dest, host.opts.clientTls);
    // HTTP only where the agent reaches the workload's port; otherwise its process tree.
    const port = workload.network ? undefined : workload.spec.ports[0];
    const probePath = workload.spec.probePath ?? "/";
    const probe = port
      ? startProbe(`http://127.0.0.1:${port}${probePath}`, `http://${new URL(dest).hostname}:${port}${probePath}`)
      : startTreeProbe(() => peer.workloadRuns(workload.id));
    const abort = live.abort;
    const faults = req.faults ?? {};
    let resumedAt: number | undefined;
    const breakdown: Breakdown = {};
    const ctx: RunnerContext = {
      migrationId: id,
      workload,
      workDir,
      peer,
      destination: {
        url: dest,
        prepare: (hook, params = {}) => peer.prepareIncoming(id, hook, params),
        restore: async (hook, params = {}) => {
          const t0 = Date.now();
          const restored = await peer.restoreIncoming(id, hook, { ...params, ...(faults.failRestore ? { failRestore: true } : {}) });
          resumedAt = Date.now();
          breakdown.restoreMs = resumedAt - t0;
          if (restored.timings?.lazyReadyMs !== undefined) breakdown.lazyReadyMs = restored.timings.lazyReadyMs;
          this.resumed(id, workload, restored.workloadId, resumedAt, restored.network);
          return restored;
        },
      },
      sendFiles: async (dir, files, { phase }) => {
        const sent = await sendFiles(dir, files, {
          base: `${dest}/v1/incoming/${id}/files`,
          compress: req.compress ?? host.opts.compress,
          bandwidthBps: req.bandwidthBps ?? host.opts.bandwidthBps,
          signal: abort.signal,
          headers: migrationHeaders(peer.token()),
          faults: { corrupt: faults.corrupt, cutAt: faults.cutAt },
          ...(host.opts.clientTls ? { fetch: tlsFetch(host.opts.clientTls, "agent") } : {}),
          onProgress: (p) => this.update(id, { phase: "transferring", bytes: p.bytes, totalBytes: p.totalBytes, rateBps: p.rateBps }),
        });
        bytes[phase] += sent.bytes;
        host.metrics.bytesSent(phase, sent.bytes);
        if (phase === "before-resume") transferMs += sent.ms;
        if (sent.ms > 50) this.lastBandwidthBps = (sent.bytes / sent.ms) * 1000;
        return sent;
      },
      timing: (part) => Object.assign(breakdown, part),
      countBytes: (phase, n) => {
        bytes[phase] += n;
        host.metrics.bytesSent(phase, n);
      },
      countPages: (kind, n) => host.metrics.pagesServed(kind, n),
      emit: (ev) => this.update(id, ev),
      fenced: (at) => this.fenced(id, at),
      probe,
      bandwidthBps: this.lastBandwidthBps,
      pageWire: host.opts.pageWire ?? "relay",
      signal: abort.signal,
      log: (m) => host.log(`${id}: ${m}`),
    };
    let incomingOpen = false;
    try {
      this.update(id, { phase: "preparing", message: `${strategy.name}: ${reason}` });
      // Images hold every page of the workload's memory: nobody else on the host reads them.
      await mkdir(workDir, { recursive: true, mode: 0o700 });
      // The destination makes its own namespace (same IP and MAC) and cgroup: none of ours goes along.
      const arriving: WorkloadRecord = {
        ...workload,
        pid: undefined,
        cgroup: undefined,
        network: undefined,
        state: "running",
        spec: { ...workload.spec, cpuLimit: req.cpuLimit ?? workload.spec.cpuLimit },
      };
      const neighbours = workload.network ? await readNeighbours(workload.network.namespace) : undefined;
      const opened = await peer.openIncoming(id, arriving, host.opts.selfUrl, neighbours);
      incomingOpen = true;
      if (opened.network) this.patch(id, { destinationNetwork: opened.network });
      const result = await strategy.migrateSource(ctx);
      const metrics: MigrationMetrics = {
        strategy: result.strategy,
        reason,
        totalMs: Date.now() - started,
        downtimeMs: result.downtimeMs,
        bytesBeforeResume: bytes["before-resume"] + (result.extraBytes?.beforeResume ?? 0),
        bytesAfterResume: bytes["after-resume"] + (result.extraBytes?.afterResume ?? 0),
        pagesOnFault: result.pagesOnFault,
        pagesPushed: result.pagesPushed,
        ...(result.image ? { image: result.image } : {}),
        breakdown: { ...breakdown, transferMs, ...firstAnswer(probe.lastSourceAnswerAt(), result.downtimeMs, resumedAt) },
      };
      this.patch(id, { metrics, destinationWorkloadId: result.destinationWorkloadId });
      if (req.commit === "manual") await this.awaitDecision(id, live);
      this.update(id, { phase: "committing" });
      await peer.commitIncoming(id);
      // The destination runs it and confirmed: now the frozen source may go (with its namespace).
      await strategy.release(ctx);
      host.workloads.delete(workload.id);
      await host.runtimeFor(workload).remove(workload);
      const total = Date.now() - started;
      this.patch(id, { metrics: { ...metrics, totalMs: req.commit === "manual" ? metrics.totalMs : total } });
      const note = result.image ? `; ${imageNote(result.image)}` : "";
      host.metrics.migrationEnded("succeeded", result.strategy);
      this.update(id, { phase: "done", message: `moved to ${dest} in ${total} ms, downtime ${metrics.downtimeMs} ms${note}` });
    } catch (err) {
      const message = err instanceof RollbackRequested ? err.message : (err as Error).message;
      host.log(`${id} failed: ${message}; rolling back`);
      if (!abort.signal.aborted) abort.abort(err);
      this.update(id, { phase: "rolling-back", message });
      const afterResume = resumedAt !== undefined;
      ctx.destinationRan = afterResume;
      const outcome = await rollBack(
        {
          resumeSource: () => strategy.resumeSource(ctx),
          abortDestination: () => peer.abortIncoming(id),
          commitDestination: async () => {
            await peer.commitIncoming(id);
            host.workloads.delete(workload.id);
            await host.runtimeFor(workload).remove(workload);
          },
          // Unreachable destination: it drops an uncommitted restore by itself once it
          // cannot reach us for its orphan time; resume only after that, never alongside it.
          waitOrphanTime: () => sleep((host.opts.orphanMs ?? ORPHAN_MS) + 2000),
          log: (m) => host.log(`${id}: ${m}`),
        },
        { destinationOpen: incomingOpen, resumed: afterResume },
      ).catch((e: Error) => {
        host.log(`${id}: rollback failed: ${e.message}`);
        return undefined;
      });
      if (outcome?.runsOn === "source") workload.state = "running";
      const ranMs = afterResume ? (outcome?.destinationDroppedAt ?? Date.now()) - resumedAt! : undefined;
      const error = outcome?.sourceError ? `${message}; the source could not run it again (${outcome.sourceError}), the destination's copy was kept` : message;
      this.patch(id, { error, rollback: { afterResume, ...(ranMs !== undefined && { destinationRanMs: ranMs }), changesDiscarded: afterResume && outcome?.runsOn === "source" } });
      host.metrics.migrationEnded("failed", strategy.name);
      this.update(id, { phase: "failed", message: error });
    } finally {
      probe.stop();
      await rm(workDir, { recursive: true, force: true });
    }
  }
}

function migrationHeaders(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { [MIGRATION_TOKEN_HEADER]: token };
}

/** Restore done to the workload's first answer on the destination (the probe's answer = last source answer + downtime). */
function firstAnswer(lastSourceAt: number | undefined, downtimeMs: number, resumedAt: number | undefined): Breakdown {
  if (lastSourceAt === undefined || resumedAt === undefined) return {};
  return { firstAnswerMs: Math.max(0, lastSourceAt + downtimeMs - resumedAt) };
}
