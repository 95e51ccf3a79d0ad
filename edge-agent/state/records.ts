// What an agent keeps across its own restarts: each workload's record (id,
// runtime, spec, state, PID, cgroup, network namespace, container id) with
// the start time of its PID, and each create under way (its group named
// before the tree starts), so a create a crash cut short can be undone.
// Pure: the codec of a stored line, the diff the journal writes, and the
// runtime's own check whether a recorded workload may be taken back is in
// runtime/reattach.ts.
import { RUNTIME_KINDS, type WorkloadRecord, type WorkloadSpec } from "../runtime/types.js";

export interface StoredWorkload {
  record: WorkloadRecord;
  /** /proc/PID/stat field 22 of record.pid when it was recorded (direct runtime). */
  startTime?: number;
  /** Set while it migrates out from here: the migration (its images are under the work dir, in a folder named by its id). */
  outgoing?: { migrationId: string; destination: string; phase: string };
}

/** A direct create under way: recorded before its tree starts, gone once the workload is recorded (or the create undone). */
export interface PendingCreate {
  id: string;
  spec: WorkloadSpec;
  cgroup: string;
  at: string;
}

export type AgentChange = { kind: "workload"; key: string; value: StoredWorkload | null } | { kind: "pending"; key: string; value: PendingCreate | null };

export interface AgentSnapshot {
  workloads: StoredWorkload[];
  pending: PendingCreate[];
}

/** The records as written: per kind, key -> JSON text (exact, cheap to compare). */
export class AgentTables {
  private readonly tables = { workload: new Map<string, string>(), pending: new Map<string, string>() };

  apply(c: AgentChange): void {
    if (c.value === null) this.tables[c.kind].delete(c.key);
    else this.tables[c.kind].set(c.key, JSON.stringify(c.value));
  }

  /** The changes that turn these tables into `now`. */
  diff(now: AgentSnapshot): AgentChange[] {
    const out: AgentChange[] = [];
    const each = (kind: AgentChange["kind"], entries: Array<[string, StoredWorkload | PendingCreate]>) => {
      const table = this.tables[kind];
      const seen = new Set<string>();
      for (const [key, value] of entries) {
        seen.add(key);
        if (table.get(key) !== JSON.stringify(value)) out.push({ kind, key, value } as AgentChange);
      }
      for (const key of table.keys()) if (!seen.has(key)) out.push({ kind, key, value: null });
    };
    each(
      "workload",
      now.workloads.map((w) => [w.record.id, w]),
    );
    each(
      "pending",
      now.pending.map((p) => [p.id, p]),
    );
    return out;
  }

  snapshot(): AgentSnapshot {
    return {
      workloads: [...this.tables.workload.values()].map((v) => JSON.parse(v) as StoredWorkload),
      pending: [...this.tables.pending.values()].map((v) => JSON.parse(v) as PendingCreate),
    };
  }

  changes(): AgentChange[] {
    const s = this.snapshot();
    return [
      ...s.workloads.map((value): AgentChange => ({ kind: "workload", key: value.record.id, value })),
      ...s.pending.map((value): AgentChange => ({ kind: "pending", key: value.id, value })),
    ];
  }
}

/** A change read back from disk: its shape checked, so a corrupt line is dropped rather than restored. */
export function isAgentChange(c: unknown): c is AgentChange {
  if (typeof c !== "object" || c === null) return false;
  const { kind, key, value } = c as Record<string, unknown>;
  if (typeof key !== "string" || (kind !== "workload" && kind !== "pending")) return false;
  if (value === null) return true;
  if (typeof value !== "object" || Array.isArray(value)) return false;
  if (kind === "pending") {
    const p = value as Partial<PendingCreate>;
    return p.id === key && typeof p.cgroup === "string" && typeof p.spec === "object" && p.spec !== null;
  }
  const w = value as Partial<StoredWorkload>;
  const r = w.record as Partial<WorkloadRecord> | undefined;
  return (
    typeof r === "object" &&
    r !== null &&
    r.id === key &&
    RUNTIME_KINDS.includes(r.runtime as (typeof RUNTIME_KINDS)[number]) &&
    typeof r.spec === "object" &&
    typeof r.state === "string" &&
    (r.pid === undefined || Number.isInteger(r.pid)) &&
    (w.startTime === undefined || Number.isInteger(w.startTime))
  );
}
