// The agent's workloads on disk (state/): the journal opened and the
// earlier process's workloads taken back at start, each change written
// before it is answered, and a direct create recorded (its group named)
// before its tree starts, so a crash mid-create is undone at the next start.
import type { MigrationRecord } from "../migration/machine.js";
import { processIdentity } from "../runtime/proc-identity.js";
import type { Runtime, WorkloadRecord } from "../runtime/types.js";
import type { DirectRuntime } from "../runtime/direct.js";
import { AgentJournal } from "../state/journal.js";
import { readoptWorkloads } from "../state/readopt.js";
import { type KeptOutgoing, sweepMigrationDirs } from "../state/sweep.js";
import { removeMigrationDir } from "./migration-dir.js";
import type { AgentSnapshot, PendingCreate } from "../state/records.js";
import type { AgentOptions } from "./options.js";

/** What this part uses of the agent. */
export interface DurableHost {
  readonly opts: AgentOptions;
  readonly workloads: Map<string, WorkloadRecord>;
  readonly direct: DirectRuntime;
  runtimeFor(record: WorkloadRecord): Runtime;
  log(message: string): void;
}

export class DurableWorkloads {
  private journal?: AgentJournal;
  /** Direct creates under way, recorded before their tree starts. */
  private readonly pending = new Map<string, PendingCreate>();
  /** Start time of each recorded workload's PID, read once per (workload, PID). */
  private readonly startTimes = new Map<string, { pid: number; startTime?: number }>();

  constructor(
    private readonly host: DurableHost,
    /** The migrations out: a workload migrating is recorded with its migration. */
    private readonly migrationsOut: () => ReadonlyMap<string, MigrationRecord>,
  ) {}

  /** Whether a journal is open (the agent has a state directory). */
  get active(): boolean {
    return this.journal !== undefined;
  }

  /**
   * Opens the journal under opts.stateDir and takes back what an earlier
   * process of this agent recorded (state/readopt.ts). Answers what happened
   * to each workload, for the log. No state dir: nothing.
   */
  async open(): Promise<string[]> {
    const { opts } = this.host;
    const sweep = (kept: KeptOutgoing) => sweepMigrationDirs(opts.workRoot, kept, (dir) => removeMigrationDir(dir, (m) => this.host.log(m)));
    if (!opts.stateDir) return sweep("all");
    const opened = await AgentJournal.open(opts.stateDir, () => this.capture());
    const { workloads, notes } = await readoptWorkloads(opened.snapshot, {
      reattach: (r, startTime) => this.host.runtimeFor(r).reattach(r, startTime),
      undoStart: (id, spec, cgroup) => this.host.direct.undoStart(id, spec, cgroup),
      remove: (r) => this.host.runtimeFor(r).remove(r),
      workRoot: opts.workRoot,
    });
    for (const w of workloads) this.host.workloads.set(w.id, w);
    // The start times recorded are the ones to keep checking against (not re-read: the PID may be another's by now).
    for (const s of opened.snapshot.workloads) if (s.record.pid) this.startTimes.set(s.record.id, { pid: s.record.pid, startTime: s.startTime });
    this.journal = opened.journal;
    await this.persist();
    // Images of every migration out the journal still records stay (even if its tree is gone: they may be all that is left).
    const kept = new Set(opened.snapshot.workloads.flatMap((s) => (s.outgoing ? [s.outgoing.migrationId] : [])));
    const swept = await sweep(kept);
    return [...opened.dropped.map((d) => `state: dropped ${d}`), ...notes, ...swept];
  }

  /** Resolves once the workloads as they are now are on disk; a 503 when the write fails. No state dir: nothing to do. */
  persist(): Promise<void> {
    return this.journal ? this.journal.sync() : Promise.resolve();
  }

  /** Runs a direct create with `p` recorded as under way until it ends (the caller records its outcome). */
  async creating<T>(p: PendingCreate, create: () => Promise<T>): Promise<T> {
    this.pending.set(p.id, p);
    try {
      await this.persist();
      return await create();
    } finally {
      this.pending.delete(p.id);
    }
  }

  /** The workload is gone: its PID's start time no longer matters. */
  forget(id: string): void {
    this.startTimes.delete(id);
  }

  async close(): Promise<void> {
    await this.journal?.close();
  }

  private capture(): AgentSnapshot {
    const out = new Map<string, { migrationId: string; destination: string; phase: string }>();
    for (const m of this.migrationsOut().values()) {
      if (m.status === "running") out.set(m.workloadId, { migrationId: m.id, destination: m.destination, phase: m.phase });
    }
    return {
      workloads: [...this.host.workloads.values()].map((record) => ({
        record,
        ...(record.pid && { startTime: this.startTimeOf(record.id, record.pid) }),
        ...(out.has(record.id) && { outgoing: out.get(record.id) }),
      })),
      pending: [...this.pending.values()],
    };
  }

  private startTimeOf(id: string, pid: number): number | undefined {
    const known = this.startTimes.get(id);
    if (known?.pid === pid) return known.startTime;
    const startTime = processIdentity(pid)?.startTime;
    this.startTimes.set(id, { pid, startTime });
    return startTime;
  }
}
