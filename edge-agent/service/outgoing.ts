// Source side of a migration: runs the strategy, then commits or rolls back
// so that exactly one node runs the workload.
import { randomUUID } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ApiError } from "../../src/http/api-error.js";
import { imageNote } from "../migration/docker-stopcopy.js";
import { applyEvent, type MigrationRecord, newMigration } from "../migration/machine.js";
import { startProbe } from "../migration/probe.js";
import { type AgentRuntimes, type RunnableStrategy, type RunnerContext, strategyFamily } from "../migration/registry.js";
import type { Capabilities, MigrationMetrics, ProgressEvent, StrategyName, TransferPhase } from "../migration/strategy.js";
import type { Runtime, WorkloadRecord } from "../runtime/types.js";
import { sendFiles } from "../transfer/sender.js";
import { type AgentOptions, ORPHAN_MS } from "./options.js";
import { peerAgent } from "./peer-agent.js";

export interface MigrationRequest {
  workload: string;
  destination: string;
  strategy: StrategyName;
  compress?: boolean;
  bandwidthBps?: number;
  faults?: { corrupt?: boolean; cutAt?: number; failRestore?: boolean };
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
}

export class OutgoingMigrations {
  readonly migrations = new Map<string, MigrationRecord>();
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
    if (url.protocol !== "http:") throw ApiError.badRequest("destination must be an http:// agent URL");
    const workingSet = (await host.runtimeFor(workload).stats(workload).catch(() => undefined))?.memoryBytes ?? host.lastStats.get(workload.id) ?? 0;
    if (workload.state !== "running") throw ApiError.badRequest(`workload ${req.workload} is ${workload.state}`);
    const choice = family.choose(req.strategy, { caps: host.caps, workingSetBytes: workingSet, bandwidthBps: this.lastBandwidthBps ?? host.opts.bandwidthBps });
    if ("refused" in choice) throw ApiError.badRequest(choice.refused);
    const { strategy, reason } = choice;
    const rec = { ...newMigration(`m-${randomUUID().slice(0, 8)}`, workload.id, url.origin, req.strategy), strategy: strategy.name, reason };
    this.migrations.set(rec.id, rec);
    workload.state = "migrating";
    void this.run(rec.id, workload, strategy, reason, req, url.origin);
    return rec;
  }

  private update(id: string, ev: Omit<ProgressEvent, "migrationId" | "at">): void {
    const rec = this.migrations.get(id);
    if (!rec) return;
    const full: ProgressEvent = { ...ev, migrationId: id, at: new Date().toISOString() };
    this.migrations.set(id, applyEvent(rec, full));
    this.host.publish({ type: "migration", ...full });
  }

  private async run(id: string, workload: WorkloadRecord, strategy: RunnableStrategy, reason: string, req: MigrationRequest, dest: string): Promise<void> {
    const host = this.host;
    const started = Date.now();
    const workDir = path.join(host.opts.workRoot, id);
    const bytes: Record<TransferPhase, number> = { "before-resume": 0, "after-resume": 0 };
    const port = workload.spec.ports[0];
    const probePath = workload.spec.probePath ?? "/";
    const probe = startProbe(
      port ? `http://127.0.0.1:${port}${probePath}` : "",
      port ? `http://${new URL(dest).hostname}:${port}${probePath}` : "",
    );
    const abort = new AbortController();
    const faults = req.faults ?? {};
    const peer = peerAgent(dest);
    const ctx: RunnerContext = {
      migrationId: id,
      workload,
      workDir,
      peer,
      destination: {
        url: dest,
        restore: (hook, params = {}) => peer.restoreIncoming(id, hook, { ...params, ...(faults.failRestore ? { failRestore: true } : {}) }),
      },
      sendFiles: async (dir, files, { phase }) => {
        const sent = await sendFiles(dir, files, {
          base: `${dest}/v1/incoming/${id}/files`,
          compress: req.compress ?? host.opts.compress,
          bandwidthBps: req.bandwidthBps ?? host.opts.bandwidthBps,
          signal: abort.signal,
          faults: { corrupt: faults.corrupt, cutAt: faults.cutAt },
          onProgress: (p) => this.update(id, { phase: "transferring", bytes: p.bytes, totalBytes: p.totalBytes, rateBps: p.rateBps }),
        });
        bytes[phase] += sent.bytes;
        if (sent.ms > 50) this.lastBandwidthBps = (sent.bytes / sent.ms) * 1000;
        return sent;
      },
      countBytes: (phase, n) => {
        bytes[phase] += n;
      },
      emit: (ev) => this.update(id, ev),
      probe,
      bandwidthBps: this.lastBandwidthBps,
      signal: abort.signal,
      log: (m) => host.log(`${id}: ${m}`),
    };
    let incomingOpen = false;
    try {
      this.update(id, { phase: "preparing", message: `${strategy.name}: ${reason}` });
      await mkdir(workDir, { recursive: true });
      await peer.openIncoming(id, { ...workload, pid: undefined, cgroup: undefined, state: "running" }, host.opts.selfUrl);
      incomingOpen = true;
      const result = await strategy.migrateSource(ctx);
      this.update(id, { phase: "committing" });
      await peer.commitIncoming(id);
      // The destination runs it and confirmed: now the frozen source may go.
      host.workloads.delete(workload.id);
      await host.runtimeFor(workload).remove(workload);
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
      };
      const rec = this.migrations.get(id)!;
      this.migrations.set(id, { ...rec, metrics, destinationWorkloadId: result.destinationWorkloadId });
      const note = result.image ? `; ${imageNote(result.image)}` : "";
      this.update(id, { phase: "done", message: `moved to ${dest} in ${metrics.totalMs} ms, downtime ${metrics.downtimeMs} ms${note}` });
    } catch (err) {
      const message = (err as Error).message;
      host.log(`${id} failed: ${message}; rolling back`);
      abort.abort();
      this.update(id, { phase: "rolling-back", message });
      if (incomingOpen) {
        const aborted = await peer.abortIncoming(id).then(
          () => true,
          (e: Error) => {
            host.log(`${id}: abort on destination: ${e.message}`);
            return false;
          },
        );
        // Unreachable destination: it drops an uncommitted restore by itself once it
        // cannot reach us for its orphan time; resume only after that, never alongside it.
        if (!aborted) await sleep((host.opts.orphanMs ?? ORPHAN_MS) + 2000);
      }
      await strategy.resumeSource(ctx);
      workload.state = "running";
      const rec = this.migrations.get(id)!;
      this.migrations.set(id, { ...rec, error: message });
      this.update(id, { phase: "failed", message });
    } finally {
      probe.stop();
      await rm(workDir, { recursive: true, force: true });
    }
  }
}
