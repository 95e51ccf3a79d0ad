// The agent's state and operations behind the HTTP plugins: its workloads
// live here; migrations out run in outgoing.ts, migrations in are held by
// incoming-migrations.ts. Both sides share this agent's workloads and runtimes.
import { randomUUID } from "node:crypto";
import { chmod, mkdir } from "node:fs/promises";
import type { IncomingOpened, Neighbour } from "../../src/api-types/agent.js";
import { ApiError } from "../../src/http/api-error.js";
import { EventHub } from "../../src/http/event-hub.js";
import type { MigrationRecord } from "../migration/machine.js";
import { type AgentRuntimes, destinationHooks } from "../migration/registry.js";
import type { Capabilities } from "../migration/strategy.js";
import { DirectRuntime } from "../runtime/direct.js";
import { DockerRuntime } from "../runtime/docker.js";
import { networkProblem } from "../runtime/netns-input.js";
import { findExecutable, firstBusyPort } from "../runtime/preflight.js";
import type { Runtime, WorkloadRecord, WorkloadSpec } from "../runtime/types.js";
import { type Incoming, IncomingMigrations } from "./incoming-migrations.js";
import { defaultAllowList, resolveAllowList, resolveExecutable } from "./allow-list.js";
import { AgentMetrics } from "./metrics.js";
import { DurableWorkloads } from "./durable-workloads.js";
import type { AgentOptions } from "./options.js";
import { type MigrationRequest, OutgoingMigrations } from "./outgoing.js";
import { commandAllowed, envProblem, imageAllowed, type WorkloadAllowList } from "./workload-policy.js";

export { type AgentOptions, ORPHAN_MS } from "./options.js";
export type { MigrationRequest } from "./outgoing.js";

/** `{type: "workload", action, workload}` or `{type: "migration", migrationId, phase, ...}`. */
export interface AgentEvent {
  type: string;
  [key: string]: unknown;
}

export class Agent implements AgentRuntimes {
  readonly workloads = new Map<string, WorkloadRecord>();
  /** Workload and migration events, streamed at GET /v1/events. */
  readonly events = new EventHub<AgentEvent>();
  readonly direct: DirectRuntime;
  /** Latest memory per workload, updated by the reporter. */
  readonly lastStats = new Map<string, number>();
  /** Pages served, bytes sent and migrations ended, for GET /metrics. */
  readonly metrics = new AgentMetrics();
  /** Where log lines go once the HTTP app is built (its structured log); stderr before. */
  logSink?: (message: string) => void;
  private dockerRuntime?: DockerRuntime;
  private readonly outgoing: OutgoingMigrations;
  private readonly arriving: IncomingMigrations;
  private readonly durable: DurableWorkloads;
  private allowList?: Promise<WorkloadAllowList>;

  constructor(
    readonly opts: AgentOptions,
    readonly caps: Capabilities,
  ) {
    this.direct = new DirectRuntime(opts.node, opts.bridge);
    this.outgoing = new OutgoingMigrations(this);
    this.arriving = new IncomingMigrations(this, destinationHooks(this));
    this.durable = new DurableWorkloads(this, () => this.outgoing.migrations);
  }

  log(message: string): void {
    if (this.logSink) this.logSink(message);
    else process.stderr.write(`[agent ${this.opts.node}] ${message}\n`);
  }

  publish(event: AgentEvent): void {
    this.events.emit(event);
    // Every workload or migration change is published: the journal follows (creates and deletes also await it).
    if (this.durable?.active) void this.persist().catch((err: Error) => this.log(err.message));
  }

  // ---- durable state (durable-workloads.ts) ---------------------------------

  /** Takes back what an earlier process of this agent recorded, before the service answers; notes for the log. */
  async openState(): Promise<string[]> {
    // Images and journal below hold workloads' memory and specs: the work root is the agent's alone.
    await mkdir(this.opts.workRoot, { recursive: true, mode: 0o700 });
    await chmod(this.opts.workRoot, 0o700);
    return this.durable.open();
  }

  /** Resolves once the workloads as they are now are on disk; a 503 when the write fails. */
  persist(): Promise<void> {
    return this.durable.persist();
  }

  closeState(): Promise<void> {
    return this.durable.close();
  }

  // ---- workloads -------------------------------------------------------

  /** Docker is optional: created on first use, only where the engine answered at start. */
  get docker(): DockerRuntime {
    this.dockerRuntime ??= new DockerRuntime();
    return this.dockerRuntime;
  }

  runtimeFor(record: WorkloadRecord): Runtime {
    return this[record.runtime];
  }

  async createWorkload(spec: WorkloadSpec, id = `w-${randomUUID().slice(0, 8)}`): Promise<WorkloadRecord> {
    // image => Docker (command optional, overrides the image's); command alone => direct runtime.
    if (!spec.command && !spec.image) throw ApiError.badRequest("give an image (Docker) or a command (direct runtime)");
    // Before anything else: a refused workload leaves no process, cgroup or file behind.
    await this.checkAllowed(spec);
    if (this.workloads.has(id)) throw ApiError.badRequest(`workload ${id} exists`);
    if (spec.network) this.checkNetwork(spec);
    if (spec.image && !this.caps.docker.present) throw ApiError.badRequest(`no Docker engine on this agent: ${this.caps.docker.error ?? "absent"}`);
    if (spec.command && !this.caps.cgroupCpu.ok) throw ApiError.badRequest(`no cgroup CPU control here: ${this.caps.cgroupCpu.error}`);
    // A workload with its own network has its ports to itself.
    const busy = spec.network ? [] : [...this.workloads.values()].filter((w) => !w.spec.network).flatMap((w) => w.spec.ports).filter((p) => spec.ports.includes(p));
    if (busy.length) throw ApiError.badRequest(`port ${busy[0]} is taken by another workload`);
    await this.preflight(spec);
    const record = spec.image ? await this.docker.create(id, spec) : await this.createDirect(id, spec);
    this.workloads.set(id, record);
    try {
      await this.persist();
    } catch (err) {
      // Not recorded: not kept either, so a restart cannot find a workload nobody was told of.
      this.workloads.delete(id);
      await this.runtimeFor(record).remove(record).catch(() => undefined);
      throw new ApiError(503, "UNAVAILABLE", `${(err as Error).message}; workload ${id} was not kept (undone)`);
    }
    this.publish({ type: "workload", action: "created", workload: record });
    return record;
  }

  /**
   * The workloads as they are: a running one whose tree or container has
   * ended is marked exited, with how it ended, so the list never shows a
   * process that is gone. Frozen and migrating ones belong to their migration.
   */
  async refreshWorkloads(): Promise<WorkloadRecord[]> {
    for (const record of [...this.workloads.values()]) {
      if (record.state !== "running") continue;
      const exit = await this.runtimeFor(record)
        .exited(record)
        .catch((err: Error) => this.log(`cannot tell whether ${record.id} runs: ${err.message}`));
      // A migration may have replaced the record meanwhile: its own state wins.
      if (!exit || this.workloads.get(record.id) !== record) continue;
      const ended: WorkloadRecord = { ...record, state: "exited", exit };
      this.workloads.set(record.id, ended);
      this.publish({ type: "workload", action: "exited", workload: ended });
    }
    return [...this.workloads.values()];
  }

  /** A direct create, its group named and recorded first: a crash before the answer is undone at the next start. */
  private async createDirect(id: string, spec: WorkloadSpec): Promise<WorkloadRecord> {
    const cgroup = this.direct.newGroup(id);
    return this.durable.creating({ id, spec, cgroup, at: new Date().toISOString() }, () => this.direct.create(id, spec, { cgroup }));
  }

  /** A workload's own network: the direct runtime, a bridge here, a sound address no other workload here holds. */
  private checkNetwork(spec: WorkloadSpec): void {
    const net = spec.network!;
    if (spec.image) throw ApiError.badRequest("body/network: a workload's own network needs the direct runtime (give a command, not an image)");
    if (!this.opts.bridge) throw ApiError.badRequest("body/network: this agent has no bridge for workload networks (start it with --bridge NAME)");
    const problem = networkProblem(net);
    if (problem) throw ApiError.badRequest(`body/${problem}`);
    for (const w of this.workloads.values()) {
      const other = w.spec.network;
      if (other && (other.ip === net.ip || other.mac.toLowerCase() === net.mac.toLowerCase()))
        throw ApiError.conflict(`body/network: workload ${w.id} already holds ${other.ip === net.ip ? `IP ${net.ip}` : `MAC ${net.mac}`} on this agent`);
    }
  }

  /** The allow-list, resolved once (its executables' real paths). */
  allowed(): Promise<WorkloadAllowList> {
    this.allowList ??= resolveAllowList(this.opts.allow ?? defaultAllowList());
    return this.allowList;
  }

  /** A 400 naming the field unless the command, the image and the environment are allowed here. */
  async checkAllowed(spec: Pick<WorkloadSpec, "command" | "image" | "env">): Promise<void> {
    const envIssue = envProblem(spec.env);
    if (envIssue) throw ApiError.badRequest(envIssue);
    const list = await this.allowed();
    if (spec.image && !imageAllowed(spec.image, list)) throw ApiError.badRequest(`body/image: image '${spec.image}' is not in this agent's allow-list (--allow-image)`);
    // A Docker workload's command runs inside its image: the image is what is allowed.
    if (spec.command && !spec.image) {
      const executable = await resolveExecutable(spec.command[0]!);
      if (!executable) throw ApiError.badRequest(`body/command/0: no executable '${spec.command[0]}' on this agent (PATH ${process.env.PATH ?? ""})`);
      if (!commandAllowed(spec.command, executable, list)) throw ApiError.badRequest(`body/command: '${spec.command.join(" ").slice(0, 200)}' is not in this agent's allow-list (--allow-command)`);
    }
  }

  /** Checks, before anything is made, what the host must offer: a direct workload's binary, and any workload's ports (Docker publishes them on the host too). */
  private async preflight(spec: WorkloadSpec): Promise<void> {
    if (!spec.image) {
      const command = spec.command?.[0] ?? "";
      const searchPath = spec.env?.PATH ?? process.env.PATH ?? "";
      if (!(await findExecutable(command, searchPath))) throw ApiError.badRequest(`body/command/0: no executable '${command}' on this agent (PATH ${searchPath})`);
    }
    const taken = spec.network ? null : await firstBusyPort(spec.ports);
    if (taken !== null) throw ApiError.conflict(`body/ports: port ${taken} is in use on this host`, { port: taken });
  }

  async deleteWorkload(id: string, opts: { force?: boolean } = {}): Promise<boolean> {
    const record = this.workloads.get(id);
    if (!record) return false;
    if (record.state === "migrating" && !opts.force) throw ApiError.badRequest(`workload ${id} is migrating`);
    this.workloads.delete(id);
    await this.runtimeFor(record).remove(record);
    this.durable.forget(id);
    // Gone from the host already: a failed write answers 503, and the next write records the deletion.
    await this.persist();
    this.publish({ type: "workload", action: "deleted", workload: record });
    return true;
  }

  // ---- migrations out (source side, outgoing.ts) ---------------------------

  get migrations(): ReadonlyMap<string, MigrationRecord> {
    return this.outgoing.migrations;
  }

  /** Validates, then runs the migration in the background; returns its record. */
  startMigration(req: MigrationRequest): Promise<MigrationRecord> {
    return this.outgoing.start(req);
  }

  /** A migration awaiting commit: the destination keeps the workload, this agent lets go. */
  commitMigration(id: string): Promise<MigrationRecord> {
    return this.outgoing.commit(id);
  }

  /** The workload runs here again (first), then the destination's copy goes. */
  rollbackMigration(id: string): Promise<MigrationRecord> {
    return this.outgoing.rollback(id);
  }

  // ---- migrations in (destination side, incoming-migrations.ts) --------------

  get incoming(): ReadonlyMap<string, Incoming> {
    return this.arriving.incoming;
  }

  async openIncoming(migrationId: string, workload: WorkloadRecord, source: string, neighbours?: Neighbour[]): Promise<IncomingOpened> {
    // A migration in runs the workload here too: held to this agent's allow-list like a create.
    await this.checkAllowed(workload.spec);
    return this.arriving.open(migrationId, workload, source, neighbours);
  }

  /** 401/403 unless `given` is incoming migration `migrationId`'s one-time token. */
  authorizeIncoming(migrationId: string, given: string | string[] | undefined): void {
    this.arriving.authorize(migrationId, given);
  }

  incomingDir(migrationId: string): string {
    return this.arriving.dir(migrationId);
  }

  prepareIncoming(migrationId: string, hookName: string, params: Record<string, unknown>): Promise<boolean> {
    return this.arriving.prepare(migrationId, hookName, params);
  }

  restoreIncoming(migrationId: string, hookName: string, params: Record<string, unknown>): Promise<WorkloadRecord> {
    return this.arriving.restore(migrationId, hookName, params);
  }

  commitIncoming(migrationId: string): Promise<void> {
    return this.arriving.commit(migrationId);
  }

  abortIncoming(migrationId: string): Promise<void> {
    return this.arriving.abort(migrationId);
  }
}
