// The agent's state and operations (workloads, migrations out, migrations
// in), behind the HTTP plugins. Source side of a migration: runs the
// strategy, then commits or rolls back so that exactly one node runs the workload.
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { chooseStrategy } from "../migration/auto.js";
import { applyEvent, type MigrationRecord, newMigration } from "../migration/machine.js";
import { startProbe } from "../migration/probe.js";
import { availability, destinationHooks, strategies } from "../migration/registry.js";
import type {
  Capabilities,
  MigrationContext,
  MigrationMetrics,
  MigrationStrategy,
  ProgressEvent,
  StrategyName,
  TransferPhase,
} from "../migration/strategy.js";
import { dumpArgs, runCriu, runCriuDetached } from "../runtime/criu.js";
import { DirectRuntime } from "../runtime/direct.js";
import type { WorkloadRecord, WorkloadSpec } from "../runtime/types.js";
import { sendFiles } from "../transfer/sender.js";

export class BadRequest extends Error {}

export interface AgentOptions {
  node: string;
  tier: "edge" | "cloud";
  /** Base URL other agents reach this one on. */
  selfUrl: string;
  /** Scratch root on tmpfs for images. */
  workRoot: string;
  /** Accept `faults` in migration requests (tests only). */
  allowFaults?: boolean;
  compress?: boolean;
  bandwidthBps?: number;
}

export interface MigrationRequest {
  workload: string;
  destination: string;
  strategy: StrategyName;
  compress?: boolean;
  bandwidthBps?: number;
  faults?: { corrupt?: boolean; cutAt?: number; failRestore?: boolean };
}

interface Incoming {
  id: string;
  dir: string;
  workload: WorkloadRecord;
  source: string;
  restored?: WorkloadRecord;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Agent {
  readonly workloads = new Map<string, WorkloadRecord>();
  readonly migrations = new Map<string, MigrationRecord>();
  readonly incoming = new Map<string, Incoming>();
  readonly events = new EventEmitter();
  readonly direct: DirectRuntime;
  private lastBandwidthBps?: number;

  constructor(
    readonly opts: AgentOptions,
    readonly caps: Capabilities,
  ) {
    this.direct = new DirectRuntime(opts.node);
    this.events.setMaxListeners(100);
  }

  log(message: string): void {
    process.stderr.write(`[agent ${this.opts.node}] ${message}\n`);
  }

  // ---- workloads -------------------------------------------------------

  async createWorkload(spec: WorkloadSpec, id = `w-${randomUUID().slice(0, 8)}`): Promise<WorkloadRecord> {
    if (!spec.command === !spec.image) throw new BadRequest("give exactly one of image or command");
    if (this.workloads.has(id)) throw new BadRequest(`workload ${id} exists`);
    if (spec.image) throw new BadRequest("the docker runtime is not enabled on this agent; give a command");
    const busy = [...this.workloads.values()].flatMap((w) => w.spec.ports).filter((p) => spec.ports.includes(p));
    if (busy.length) throw new BadRequest(`port ${busy[0]} is taken by another workload`);
    const record = await this.direct.create(id, spec);
    this.workloads.set(id, record);
    this.publish({ type: "workload", action: "created", workload: record });
    return record;
  }

  async deleteWorkload(id: string): Promise<boolean> {
    const record = this.workloads.get(id);
    if (!record) return false;
    if (record.state === "migrating") throw new BadRequest(`workload ${id} is migrating`);
    this.workloads.delete(id);
    await this.direct.remove(record);
    this.publish({ type: "workload", action: "deleted", workload: record });
    return true;
  }

  // ---- migrations out (source side) ---------------------------------------

  /** Validates, then runs the migration in the background; returns its record. */
  startMigration(req: MigrationRequest): MigrationRecord {
    const workload = this.workloads.get(req.workload);
    if (!workload) throw new BadRequest(`no workload ${req.workload} on this agent`);
    if (workload.state !== "running") throw new BadRequest(`workload ${req.workload} is ${workload.state}`);
    if (req.faults && !this.opts.allowFaults) throw new BadRequest("faults are accepted only by an agent started with --allow-faults");
    let url: URL;
    try {
      url = new URL(req.destination);
    } catch {
      throw new BadRequest(`destination is not a URL: ${req.destination}`);
    }
    if (url.protocol !== "http:") throw new BadRequest("destination must be an http:// agent URL");
    const { strategy, reason } = this.pickStrategy(req.strategy, workload);
    const rec = { ...newMigration(`m-${randomUUID().slice(0, 8)}`, workload.id, url.origin, req.strategy), strategy: strategy.name, reason };
    this.migrations.set(rec.id, rec);
    workload.state = "migrating";
    void this.runMigration(rec.id, workload, strategy, reason, req, url.origin);
    return rec;
  }

  private pickStrategy(name: StrategyName, workload: WorkloadRecord): { strategy: MigrationStrategy; reason: string } {
    const avail = availability(this.caps);
    if (name === "auto") {
      const choice = chooseStrategy({ available: avail, workingSetBytes: this.workingSet(workload), bandwidthBps: this.lastBandwidthBps });
      return { strategy: strategies.get(choice.strategy)!, reason: `auto: ${choice.reason}` };
    }
    const strategy = strategies.get(name);
    if (!strategy) throw new BadRequest(`unknown strategy ${name}`);
    const a = avail[name]!;
    if (!a.ok) throw new BadRequest(`strategy ${name} is unavailable here: ${a.reason}`);
    return { strategy, reason: "requested" };
  }

  private workingSet(workload: WorkloadRecord): number {
    return this.lastStats.get(workload.id) ?? 0;
  }

  /** Latest memory per workload, updated by the reporter. */
  readonly lastStats = new Map<string, number>();

  private update(id: string, ev: Omit<ProgressEvent, "migrationId" | "at">): void {
    const rec = this.migrations.get(id);
    if (!rec) return;
    const full: ProgressEvent = { ...ev, migrationId: id, at: new Date().toISOString() };
    this.migrations.set(id, applyEvent(rec, full));
    this.publish({ type: "migration", ...full });
  }

  private async runMigration(id: string, workload: WorkloadRecord, strategy: MigrationStrategy, reason: string, req: MigrationRequest, dest: string): Promise<void> {
    const started = Date.now();
    const workDir = path.join(this.opts.workRoot, id);
    const bytes: Record<TransferPhase, number> = { "before-resume": 0, "after-resume": 0 };
    const port = workload.spec.ports[0];
    const probePath = workload.spec.probePath ?? "/";
    const probe = startProbe(
      port ? `http://127.0.0.1:${port}${probePath}` : "",
      port ? `http://${new URL(dest).hostname}:${port}${probePath}` : "",
    );
    const abort = new AbortController();
    const faults = req.faults ?? {};
    let incomingOpen = false;
    try {
      this.update(id, { phase: "preparing", message: `${strategy.name}: ${reason}` });
      await mkdir(workDir, { recursive: true });
      await postJson(`${dest}/v1/incoming`, { migrationId: id, workload: { ...workload, pid: undefined, cgroup: undefined, state: "running" }, source: this.opts.selfUrl });
      incomingOpen = true;
      const ctx: MigrationContext = {
        migrationId: id,
        workload,
        workDir,
        destination: {
          url: dest,
          restore: async (hook, params = {}) => {
            const body = { hook, params: { ...params, ...(faults.failRestore ? { failRestore: true } : {}) } };
            return postJson<{ workloadId: string; pid?: number }>(`${dest}/v1/incoming/${id}/restore`, body, 60_000);
          },
        },
        source: {
          dump: (dir, extra) => runCriu(dir, dumpArgs(workload.pid!, extra), "dump.log"),
          criu: (args, logName) => runCriu(workDir, args, logName),
        },
        sendFiles: async (dir, files, { phase }) => {
          const sent = await sendFiles(dir, files, {
            base: `${dest}/v1/incoming/${id}/files`,
            compress: req.compress ?? this.opts.compress,
            bandwidthBps: req.bandwidthBps ?? this.opts.bandwidthBps,
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
        log: (m) => this.log(`${id}: ${m}`),
      };
      const result = await strategy.migrateSource(ctx);
      this.update(id, { phase: "committing" });
      await postJson(`${dest}/v1/incoming/${id}/commit`, {});
      // The destination runs it and confirmed: now the frozen source may go.
      this.workloads.delete(workload.id);
      await this.direct.remove(workload);
      const metrics: MigrationMetrics = {
        strategy: result.strategy,
        reason,
        totalMs: Date.now() - started,
        downtimeMs: result.downtimeMs,
        bytesBeforeResume: bytes["before-resume"] + (result.extraBytes?.beforeResume ?? 0),
        bytesAfterResume: bytes["after-resume"] + (result.extraBytes?.afterResume ?? 0),
        pagesOnFault: result.pagesOnFault,
        pagesPushed: result.pagesPushed,
      };
      const rec = this.migrations.get(id)!;
      this.migrations.set(id, { ...rec, metrics, destinationWorkloadId: result.destinationWorkloadId });
      this.update(id, { phase: "done", message: `moved to ${dest} in ${metrics.totalMs} ms, downtime ${metrics.downtimeMs} ms` });
    } catch (err) {
      const message = (err as Error).message;
      this.log(`${id} failed: ${message}; rolling back`);
      abort.abort();
      this.update(id, { phase: "rolling-back", message });
      if (incomingOpen) await postJson(`${dest}/v1/incoming/${id}/abort`, {}).catch((e: Error) => this.log(`${id}: abort on destination: ${e.message}`));
      await this.direct.resume(workload);
      workload.state = "running";
      const rec = this.migrations.get(id)!;
      this.migrations.set(id, { ...rec, error: message });
      this.update(id, { phase: "failed", message });
    } finally {
      probe.stop();
      await rm(workDir, { recursive: true, force: true });
    }
  }

  // ---- migrations in (destination side) -----------------------------------

  async openIncoming(migrationId: string, workload: WorkloadRecord, source: string): Promise<void> {
    if (this.incoming.has(migrationId)) throw new BadRequest(`migration ${migrationId} is already open here`);
    if (this.workloads.has(workload.id)) throw new BadRequest(`a workload ${workload.id} already runs here`);
    const dir = path.join(this.opts.workRoot, `in-${migrationId}`);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    this.incoming.set(migrationId, { id: migrationId, dir, workload, source });
  }

  incomingDir(migrationId: string): string {
    const inc = this.incoming.get(migrationId);
    if (!inc) throw new BadRequest(`no incoming migration ${migrationId}`);
    return inc.dir;
  }

  async restoreIncoming(migrationId: string, hookName: string, params: Record<string, unknown>): Promise<WorkloadRecord> {
    const inc = this.incoming.get(migrationId);
    if (!inc) throw new BadRequest(`no incoming migration ${migrationId}`);
    const hook = destinationHooks.get(hookName);
    if (!hook) throw new BadRequest(`no restore hook ${hookName}`);
    if (inc.restored) throw new BadRequest(`migration ${migrationId} is already restored`);
    const dctx = {
      migrationId,
      imagesDir: inc.dir,
      workload: inc.workload,
      params,
      criu: (args: string[], logName: string) => runCriu(inc.dir, args, logName),
      criuDetached: (args: string[], logName: string) => runCriuDetached(inc.dir, args, logName),
      log: (m: string) => this.log(`${migrationId} (in): ${m}`),
    };
    const tree = await hook.restore(dctx);
    const record = await this.direct.adopt(
      { ...inc.workload, migratedFrom: { agent: inc.source, workloadId: inc.workload.id, migrationId } },
      tree.pid,
    );
    record.state = "migrating";
    inc.restored = record;
    this.workloads.set(record.id, record);
    return record;
  }

  async commitIncoming(migrationId: string): Promise<void> {
    const inc = this.incoming.get(migrationId);
    if (!inc?.restored) throw new BadRequest(`migration ${migrationId} has nothing restored to commit`);
    inc.restored.state = "running";
    this.incoming.delete(migrationId);
    this.publish({ type: "workload", action: "arrived", workload: inc.restored });
    // Post-copy images are still read by the lazy-pages daemon: drop them a little later.
    void sleep(100).then(() => rm(inc.dir, { recursive: true, force: true }));
  }

  async abortIncoming(migrationId: string): Promise<void> {
    const inc = this.incoming.get(migrationId);
    if (!inc) return;
    this.incoming.delete(migrationId);
    if (inc.restored) {
      this.workloads.delete(inc.restored.id);
      await this.direct.remove(inc.restored);
    }
    await rm(inc.dir, { recursive: true, force: true });
  }

  publish(event: Record<string, unknown>): void {
    this.events.emit("event", event);
  }
}

async function postJson<T = unknown>(url: string, body: unknown, timeoutMs = 30_000): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : {};
  if (!res.ok) throw new Error(`${new URL(url).pathname} answered ${res.status}: ${(data as { message?: string }).message ?? text}`);
  return data as T;
}
