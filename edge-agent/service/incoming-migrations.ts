// Destination side of a migration, the state behind the /v1/incoming routes
// (incoming.ts is their HTTP plugin): images arrive in a scratch directory, a
// named hook restores them, and the restored copy stays provisional until the
// source commits; watchSource drops it if the source gave up or vanished.
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ApiError } from "../../src/http/api-error.js";
import type { RunnableHook } from "../migration/registry.js";
import type { PreparedHook } from "../migration/strategy.js";
import type { IncomingOpened, Neighbour, WorkloadNetworkView } from "../../src/api-types/agent.js";
import { writeNeighbours } from "../runtime/neighbours.js";
import type { DirectRuntime } from "../runtime/direct.js";
import { checkTreeRuns, sampleTree } from "../runtime/tree-check.js";
import type { RestoredTree, Runtime, WorkloadRecord } from "../runtime/types.js";
import { type AgentOptions, ORPHAN_MS, SOURCE_POLL_MS } from "./options.js";
import { checkMigrationToken, newMigrationToken } from "./migration-token.js";
import { peerAgent } from "./peer-agent.js";
import { removeMigrationDir } from "./migration-dir.js";

export interface Incoming {
  id: string;
  dir: string;
  workload: WorkloadRecord;
  source: string;
  /** Drawn at open, answered to the source only: later calls of this migration must carry it. */
  token: string;
  restored?: WorkloadRecord;
  /** The workload's namespace here, made (fenced) when the migration opened: before the source froze. */
  net?: WorkloadNetworkView;
  /** What a hook started before the freeze (its prepare), for its restore. */
  prepared?: { hook: string; handle: PreparedHook };
  /** The restore hook's own timings (RestoredTree.timings). */
  timings?: RestoredTree["timings"];
  /** A restore under way: abort() ends it (CRIU, the half-made tree) and waits for it to settle. */
  restoring?: { controller: AbortController; settled: Promise<unknown> };
}

/** How long abort() waits for an abandoned restore to end before it removes the folder anyway. */
const RESTORE_END_WAIT_MS = 15_000;

/** What the destination side uses of the agent. */
export interface DestinationHost {
  readonly opts: Pick<AgentOptions, "workRoot" | "sourcePollMs" | "orphanMs" | "clientTls">;
  readonly workloads: Map<string, WorkloadRecord>;
  /** Workload networks on this agent's bridge (the direct runtime's). */
  readonly direct: Pick<DirectRuntime, "bridge" | "makeNetwork" | "openNetwork" | "dropNetwork">;
  runtimeFor(record: WorkloadRecord): Pick<Runtime, "adopt" | "remove">;
  publish(event: Record<string, unknown>): void;
  log(message: string): void;
}

export class IncomingMigrations {
  readonly incoming = new Map<string, Incoming>();

  constructor(
    private readonly host: DestinationHost,
    /** Restore hooks by name (registry.ts's destinationHooks, bound to the agent's runtimes). */
    private readonly hooks: ReadonlyMap<string, RunnableHook>,
  ) {}

  async open(migrationId: string, workload: WorkloadRecord, source: string, neighbours?: Neighbour[]): Promise<IncomingOpened> {
    if (this.incoming.has(migrationId)) throw ApiError.badRequest(`migration ${migrationId} is already open here`);
    if (this.host.workloads.has(workload.id)) throw ApiError.badRequest(`a workload ${workload.id} already runs here`);
    const dir = path.join(this.host.opts.workRoot, `in-${migrationId}`);
    await rm(dir, { recursive: true, force: true });
    // Images hold every page of the workload's memory: nobody else on the host reads them.
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // A workload with its own network gets the same IP and MAC here, fenced (port down) until its
    // tree runs. Made now, while the source still runs: namespace, veth and bridge port cost
    // tens of ms of subprocesses that would otherwise count as downtime.
    let net: WorkloadNetworkView | undefined;
    if (workload.spec.network) {
      if (!this.host.direct.bridge) throw ApiError.badRequest("this agent has no bridge (--bridge) for a workload with its own network");
      net = await this.host.direct.makeNetwork(workload.id, workload.spec, { fenced: true });
      // Best effort: without them the first frame after the resume asks ARP, as before.
      if (neighbours?.length) await writeNeighbours(net.namespace, neighbours).catch((err: Error) => this.host.log(`${migrationId} (in): neighbours not copied: ${err.message}`));
    }
    const token = newMigrationToken();
    const inc: Incoming = { id: migrationId, dir, workload, source, token, ...(net && { net }) };
    this.incoming.set(migrationId, inc);
    // Watched from the open, not only once restored: a source that gives up or dies mid-transfer
    // must not leave its images (every page of the workload's memory) here forever.
    void this.watchSource(inc);
    return { ok: true, token, ...(net && { network: { dpid: net.dpid, ofport: net.ofport } }) };
  }

  /** 401/403 unless `given` is the token of open migration `migrationId`; 400 when none is open (as every call on it). */
  authorize(migrationId: string, given: string | string[] | undefined): void {
    const inc = this.incoming.get(migrationId);
    if (!inc) throw ApiError.badRequest(`no incoming migration ${migrationId}`);
    checkMigrationToken(migrationId, inc.token, given);
  }

  dir(migrationId: string): string {
    const inc = this.incoming.get(migrationId);
    if (!inc) throw ApiError.badRequest(`no incoming migration ${migrationId}`);
    return inc.dir;
  }

  /** Runs hook `hookName`'s prepare (when it has one) before the source freezes; false when there is none. */
  async prepare(migrationId: string, hookName: string, params: Record<string, unknown>): Promise<boolean> {
    const inc = this.incoming.get(migrationId);
    if (!inc) throw ApiError.badRequest(`no incoming migration ${migrationId}`);
    const hook = this.hooks.get(hookName);
    if (!hook) throw ApiError.badRequest(`no restore hook ${hookName}`);
    if (inc.restored || inc.prepared) throw ApiError.badRequest(`migration ${migrationId} is already ${inc.restored ? "restored" : "prepared"}`);
    if (!hook.prepare) return false;
    const handle = await hook.prepare(this.hookContext(inc, params));
    if (this.incoming.get(migrationId) !== inc) {
      await handle.cancel(); // aborted meanwhile
      return false;
    }
    inc.prepared = { hook: hookName, handle };
    return true;
  }

  private hookContext(inc: Incoming, params: Record<string, unknown>) {
    return {
      migrationId: inc.id,
      imagesDir: inc.dir,
      workload: inc.workload,
      params,
      ...(inc.net && { netns: inc.net.namespace }),
      token: inc.token,
      log: (m: string) => this.host.log(`${inc.id} (in): ${m}`),
    };
  }

  async restore(migrationId: string, hookName: string, params: Record<string, unknown>): Promise<WorkloadRecord> {
    const host = this.host;
    const inc = this.incoming.get(migrationId);
    if (!inc) throw ApiError.badRequest(`no incoming migration ${migrationId}`);
    const hook = this.hooks.get(hookName);
    if (!hook) throw ApiError.badRequest(`no restore hook ${hookName}`);
    if (inc.restored) throw ApiError.badRequest(`migration ${migrationId} is already restored`);
    // Made at open (fenced); made here only if it is gone (a failed restore dropped it).
    let net = inc.net;
    if (!net && inc.workload.spec.network) {
      if (!host.direct.bridge) throw ApiError.badRequest("this agent has no bridge (--bridge) for a workload with its own network");
      net = await host.direct.makeNetwork(inc.workload.id, inc.workload.spec, { fenced: true });
      inc.net = net;
    }
    // A prepare with another hook (or none) is dropped: this restore starts from scratch.
    const prepared = inc.prepared?.hook === hookName ? inc.prepared.handle : undefined;
    if (inc.prepared && !prepared) await inc.prepared.handle.cancel();
    inc.prepared = undefined;
    const controller = new AbortController();
    const dctx = { ...this.hookContext(inc, params), ...(prepared && { prepared }), signal: controller.signal };
    const t0 = Date.now();
    const running = hook.restore(dctx);
    inc.restoring = { controller, settled: running.catch(() => undefined) };
    const tree = await running
      .catch(async (err: Error) => {
        if (net) await host.direct.dropNetwork(net);
        inc.net = undefined;
        throw err;
      })
      .finally(() => {
        inc.restoring = undefined;
      });
    if (this.incoming.get(migrationId) !== inc) {
      // Abandoned while CRIU worked and it finished anyway: this copy must not run on.
      await host.runtimeFor({ ...inc.workload, pid: tree.pid }).remove({ ...inc.workload, pid: tree.pid, containerId: tree.containerId });
      throw ApiError.badRequest(`migration ${migrationId} was aborted during its restore`);
    }
    inc.timings = tree.timings;
    const described: WorkloadRecord = {
      ...inc.workload,
      migratedFrom: { agent: inc.source, workloadId: inc.workload.id, migrationId },
      ...(net && { network: net }),
    };
    const runtime = host.runtimeFor(described);
    const t1 = Date.now();
    const record = await (async () => {
      const adopted = await runtime.adopt(described, tree);
      const t2 = Date.now();
      if (net) await host.direct.openNetwork(net);
      const t3 = Date.now();
      if (adopted.pid && !(await sampleTree(adopted.pid))) throw new Error(`the restored tree (pid ${adopted.pid}) ended at once`);
      dctx.log(`restore: hook ${t1 - t0} ms, adopt ${t2 - t1} ms, network open ${t3 - t2} ms, tree check ${Date.now() - t3} ms`);
      return adopted;
    })().catch(async (err: Error) => {
      // A restored tree we cannot serve must not linger: the source still holds the frozen copy.
      await runtime.remove({ ...described, pid: tree.pid, containerId: tree.containerId });
      inc.net = undefined;
      throw err;
    });
    record.state = "migrating";
    inc.restored = record;
    host.workloads.set(record.id, record);
    if (record.pid) void this.checkTree(inc, record, record.pid);
    return record;
  }

  /**
   * Whether the restored tree really runs and advances (the source asks for its
   * state when it cannot probe the workload over HTTP): one that does not is
   * marked failed, and the source rolls back.
   */
  private async checkTree(inc: Incoming, record: WorkloadRecord, pid: number): Promise<void> {
    try {
      await checkTreeRuns(pid);
    } catch (err) {
      if (inc.restored !== record || record.state !== "migrating") return;
      this.host.log(`${inc.id} (in): ${(err as Error).message}`);
      record.state = "failed";
    }
  }

  async commit(migrationId: string): Promise<void> {
    const inc = this.incoming.get(migrationId);
    if (!inc?.restored) throw ApiError.badRequest(`migration ${migrationId} has nothing restored to commit`);
    inc.restored.state = "running";
    this.incoming.delete(migrationId);
    this.host.publish({ type: "workload", action: "arrived", workload: inc.restored });
    // Post-copy images are still read by the lazy-pages daemon: drop them a little later.
    void sleep(100).then(() => removeMigrationDir(inc.dir, (m) => this.host.log(`${migrationId} (in): ${m}`)));
  }

  async abort(migrationId: string): Promise<void> {
    const inc = this.incoming.get(migrationId);
    if (!inc) return;
    this.incoming.delete(migrationId);
    await inc.prepared?.handle.cancel();
    if (inc.restoring) {
      // A restore still under way (a lazy restore whose pages never came): end CRIU and its tree first.
      inc.restoring.controller.abort();
      const ended = await Promise.race([inc.restoring.settled.then(() => true), sleep(RESTORE_END_WAIT_MS).then(() => false)]);
      if (!ended) this.host.log(`${migrationId} (in): the abandoned restore did not end within ${RESTORE_END_WAIT_MS} ms; removing its folder anyway`);
    }
    if (inc.restored) {
      this.host.workloads.delete(inc.restored.id);
      await this.host.runtimeFor(inc.restored).remove(inc.restored);
    } else if (inc.net) await this.host.direct.dropNetwork(inc.net);
    await removeMigrationDir(inc.dir, (m) => this.host.log(`${migrationId} (in): ${m}`));
  }

  /**
   * Until the source commits, a restored copy is provisional: drop it when the
   * source says the migration failed, or stays unreachable for the orphan time
   * (the source then resumes its frozen copy), so two copies never both run on.
   * Before the restore the same holds for the images that arrived.
   */
  private async watchSource(inc: Incoming): Promise<void> {
    const pollMs = this.host.opts.sourcePollMs ?? SOURCE_POLL_MS;
    const orphanMs = this.host.opts.orphanMs ?? ORPHAN_MS;
    // Only a source we reached once can be judged gone (a wrong --advertise must not drop workloads).
    let lastSeen: number | undefined;
    const source = peerAgent(inc.source, this.host.opts.clientTls);
    while (this.incoming.get(inc.id) === inc) {
      await sleep(pollMs);
      if (this.incoming.get(inc.id) !== inc) return;
      try {
        const status = await source.migrationStatus(inc.id);
        lastSeen = Date.now();
        if (status === "failed") {
          this.host.log(`${inc.id} (in): the source reports the migration failed; dropping the restored copy`);
          await this.abort(inc.id);
        }
      } catch {
        if (lastSeen !== undefined && Date.now() - lastSeen > orphanMs) {
          this.host.log(`${inc.id} (in): source unreachable for ${orphanMs} ms before commit; dropping the restored copy`);
          await this.abort(inc.id);
        }
      }
    }
  }
}
