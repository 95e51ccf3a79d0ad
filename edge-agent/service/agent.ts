// The agent's state and operations (workloads, migrations out, migrations
// in), behind the HTTP plugins. Source side of a migration: runs the
// strategy, then commits or rolls back so that exactly one node runs the workload.
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { chooseStrategy } from "../migration/auto.js";
import { applyEvent, type MigrationRecord, newMigration } from "../migration/machine.js";
import { startProbe } from "../migration/probe.js";
import { resumeDockerSource } from "../migration/docker-stopcopy.js";
import { availability, destinationHooks, dockerStrategies, strategies } from "../migration/registry.js";
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
import { DockerRuntime } from "../runtime/docker.js";
import type { Runtime, WorkloadRecord, WorkloadSpec } from "../runtime/types.js";
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

/** How long a destination keeps an uncommitted restore while it cannot reach the source. */
export const ORPHAN_MS = 10_000;

export class Agent {
  readonly workloads = new Map<string, WorkloadRecord>();
  readonly migrations = new Map<string, MigrationRecord>();
  readonly incoming = new Map<string, Incoming>();
  readonly events = new EventEmitter();
  readonly direct: DirectRuntime;
  private dockerRuntime?: DockerRuntime;
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

  /** Docker is optional: created on first use, only where the engine answered at start. */
  get docker(): DockerRuntime {
    this.dockerRuntime ??= new DockerRuntime();
    return this.dockerRuntime;
  }

  runtimeFor(record: WorkloadRecord): Runtime {
    return record.runtime === "docker" ? this.docker : this.direct;
  }

  async createWorkload(spec: WorkloadSpec, id = `w-${randomUUID().slice(0, 8)}`): Promise<WorkloadRecord> {
    // image => Docker (command optional, overrides the image's); command alone => direct runtime.
    if (!spec.command && !spec.image) throw new BadRequest("give an image (Docker) or a command (direct runtime)");
    if (this.workloads.has(id)) throw new BadRequest(`workload ${id} exists`);
    if (spec.image && !this.caps.docker.present) throw new BadRequest(`no Docker engine on this agent: ${this.caps.docker.error ?? "absent"}`);
    if (spec.command && !this.caps.cgroupCpu.ok) throw new BadRequest(`no cgroup CPU control here: ${this.caps.cgroupCpu.error}`);
    const busy = [...this.workloads.values()].flatMap((w) => w.spec.ports).filter((p) => spec.ports.includes(p));
    if (busy.length) throw new BadRequest(`port ${busy[0]} is taken by another workload`);
    const record = spec.image ? await this.docker.create(id, spec) : await this.direct.create(id, spec);
    this.workloads.set(id, record);
    this.publish({ type: "workload", action: "created", workload: record });
    return record;
  }

  async deleteWorkload(id: string, opts: { force?: boolean } = {}): Promise<boolean> {
    const record = this.workloads.get(id);
    if (!record) return false;
    if (record.state === "migrating" && !opts.force) throw new BadRequest(`workload ${id} is migrating`);
    this.workloads.delete(id);
    await this.runtimeFor(record).remove(record);
    this.publish({ type: "workload", action: "deleted", workload: record });
    return true;
  }

  // ---- migrations out (source side) ---------------------------------------

  /** Validates, then runs the migration in the background; returns its record. */
  async startMigration(req: MigrationRequest): Promise<MigrationRecord> {
    const workload = this.workloads.get(req.workload);
    if (!workload) throw new BadRequest(`no workload ${req.workload} on this agent`);
    if (workload.state !== "running") throw new BadRequest(`workload ${req.workload} is ${workload.state}`);
    if (workload.runtime === "docker" && req.strategy !== "stopcopy" && req.strategy !== "auto")
      throw new BadRequest(`Docker workloads migrate with stopcopy (docker checkpoint); ${req.strategy} needs a direct-runtime workload (docs/agent.md)`);
    if (req.faults && !this.opts.allowFaults) throw new BadRequest("faults are accepted only by an agent started with --allow-faults");
    let url: URL;
    try {
      url = new URL(req.destination);
    } catch {
      throw new BadRequest(`destination is not a URL: ${req.destination}`);
    }
    if (url.protocol !== "http:") throw new BadRequest("destination must be an http:// agent URL");
    const workingSet = (await this.runtimeFor(workload).stats(workload).catch(() => undefined))?.memoryBytes ?? this.lastStats.get(workload.id) ?? 0;
    if (workload.state !== "running") throw new BadRequest(`workload ${req.workload} is ${workload.state}`);
    const { strategy, reason } = workload.runtime === "docker" ? this.pickDocker(req.strategy) : this.pickStrategy(req.strategy, workingSet);
    const rec = { ...newMigration(`m-${randomUUID().slice(0, 8)}`, workload.id, url.origin, req.strategy), strategy: strategy.name, reason };
    this.migrations.set(rec.id, rec);
    workload.state = "migrating";
    void this.runMigration(rec.id, workload, strategy, reason, req, url.origin);
    return rec;
  }

  private pickStrategy(name: StrategyName, workingSetBytes: number): { strategy: MigrationStrategy; reason: string } {
    const avail = availability(this.caps);
    if (name === "auto") {
      const choice = chooseStrategy({ available: avail, workingSetBytes, bandwidthBps: this.lastBandwidthBps ?? this.opts.bandwidthBps });
      return { strategy: strategies.get(choice.strategy)!, reason: `auto: ${choice.reason}` };
    }
    const strategy = strategies.get(name);
    if (!strategy) throw new BadRequest(`unknown strategy ${name}`);
    const a = avail[name]!;
    if (!a.ok) throw new BadRequest(`strategy ${name} is unavailable here: ${a.reason}`);
    return { strategy, reason: "requested" };
  }

  private pickDocker(name: StrategyName): { strategy: MigrationStrategy; reason: string } {
    const strategy = dockerStrategies.get("stopcopy")!;
    const a = strategy.available(this.caps);
    if (!a.ok) throw new BadRequest(`Docker migration is unavailable here: ${a.reason}`);
    return { strategy, reason: name === "auto" ? "auto: a Docker workload moves by docker checkpoint (stop-and-copy)" : "requested" };
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
      await this.runtimeFor(workload).remove(workload);
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
      if (incomingOpen) {
        const aborted = await postJson(`${dest}/v1/incoming/${id}/abort`, {}).then(
          () => true,
          (e: Error) => {
            this.log(`${id}: abort on destination: ${e.message}`);
            return false;
          },
        );
        // Unreachable destination: it drops an uncommitted restore by itself once it
        // cannot reach us for ORPHAN_MS; resume only after that, never alongside it.
        if (!aborted) await sleep(ORPHAN_MS + 2000);
      }
      if (workload.runtime === "docker") await resumeDockerSource(this.docker, workload, workDir, id);
      else await this.direct.resume(workload);
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
    const described: WorkloadRecord = { ...inc.workload, migratedFrom: { agent: inc.source, workloadId: inc.workload.id, migrationId } };
    const record =
      tree.containerId !== undefined
        ? { ...described, containerId: tree.containerId }
        : await this.direct.adopt(described, tree.pid).catch(async (err: Error) => {
            // A restored tree we cannot serve must not linger: the source still holds the frozen copy.
            await this.direct.remove({ ...described, pid: tree.pid });
            throw err;
          });
    record.state = "migrating";
    inc.restored = record;
    this.workloads.set(record.id, record);
    void this.watchSource(inc);
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

  /**
   * Until the source commits, a restored copy is provisional: drop it when the
   * source says the migration failed, or stays unreachable for ORPHAN_MS (the
   * source then resumes its frozen copy), so two copies never both run on.
   */
  private async watchSource(inc: Incoming): Promise<void> {
    // Only a source we reached once can be judged gone (a wrong --advertise must not drop workloads).
    let lastSeen: number | undefined;
    while (this.incoming.get(inc.id) === inc) {
      await sleep(1000);
      if (this.incoming.get(inc.id) !== inc) return;
      try {
        const res = await fetch(`${inc.source}/v1/migrations/${inc.id}`, { signal: AbortSignal.timeout(2000) });
        const rec = (await res.json()) as { status?: string };
        lastSeen = Date.now();
        if (res.ok && rec.status === "failed") {
          this.log(`${inc.id} (in): the source reports the migration failed; dropping the restored copy`);
          await this.abortIncoming(inc.id);
        }
      } catch {
        if (lastSeen !== undefined && Date.now() - lastSeen > ORPHAN_MS) {
          this.log(`${inc.id} (in): source unreachable for ${ORPHAN_MS} ms before commit; dropping the restored copy`);
          await this.abortIncoming(inc.id);
        }
      }
    }
  }

  async abortIncoming(migrationId: string): Promise<void> {
    const inc = this.incoming.get(migrationId);
    if (!inc) return;
    this.incoming.delete(migrationId);
    if (inc.restored) {
      this.workloads.delete(inc.restored.id);
      await this.runtimeFor(inc.restored).remove(inc.restored);
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
