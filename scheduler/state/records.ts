// What the scheduler keeps across restarts, as keyed records: nodes by name,
// devices by id, tasks by id (placement, service binding) and the task id
// sequence. A change puts or deletes one record; a batch of them is applied
// all or nothing. Pure: the stores (store.ts, journal.ts) persist these.
import type { ServiceBinding } from "../executor/executor.js";
import type { LatencyModel } from "../../src/latency/model.js";
import type { NodeSpec, PlacementRecord } from "../placement/types.js";

export interface StoredDevice {
  id: string;
  site?: string;
  registeredAt: string;
  /** True when the device was registered by its first task rather than by POST /v1/devices. */
  auto: boolean;
}

export interface StoredTask extends PlacementRecord {
  /** Where its workload answers, when an agent runs it (the address plan is derived from these). */
  binding?: ServiceBinding;
  /**
   * Set while a managed move of it is in flight (the placement already shows
   * `to`); cleared when the move ends. A restart that finds no such move in the
   * migration journal puts the task back on `from`: the move was never recorded.
   */
  moving?: { from: string; to: string };
}

/** A class's model refitted from live samples (the profile's come from the start-up files, not from here). */
export interface StoredModel {
  kind: LatencyModel["kind"];
  a: number;
  b: number;
  /** Held-out R² of the refit. */
  r2: number;
  source: "live";
}

export type StateChange =
  | { kind: "node"; key: string; value: NodeSpec | null }
  | { kind: "device"; key: string; value: StoredDevice | null }
  | { kind: "task"; key: string; value: StoredTask | null }
  | { kind: "model"; key: string; value: StoredModel | null }
  | { kind: "taskSeq"; key: "taskSeq"; value: number };

export interface SchedulerSnapshot {
  nodes: NodeSpec[];
  devices: StoredDevice[];
  /** In placement order (seq). */
  tasks: StoredTask[];
  /** The last generated task number (t-N). */
  taskSeq: number;
  /** Refitted models by class key (absent in journals written before they were kept). */
  models?: Array<{ key: string; model: StoredModel }>;
}

/** The records as maps (insertion order kept), for a store to apply changes to. */
export class StateTables {
  readonly nodes = new Map<string, NodeSpec>();
  readonly devices = new Map<string, StoredDevice>();
  readonly tasks = new Map<string, StoredTask>();
  readonly models = new Map<string, StoredModel>();
  taskSeq = 0;

  apply(c: StateChange): void {
    if (c.kind === "taskSeq") {
      this.taskSeq = Math.max(this.taskSeq, c.value);
      return;
    }
    const table: Map<string, unknown> = this[`${c.kind}s`];
    if (c.value === null) table.delete(c.key);
    else table.set(c.key, c.value);
  }

  snapshot(): SchedulerSnapshot {
    return structuredClone({
      nodes: [...this.nodes.values()],
      devices: [...this.devices.values()],
      tasks: [...this.tasks.values()].sort((a, b) => a.seq - b.seq),
      taskSeq: this.taskSeq,
      models: [...this.models].map(([key, model]) => ({ key, model })),
    });
  }

  /** The changes that rebuild these tables from nothing (what compaction writes). */
  changes(): StateChange[] {
    return [
      ...[...this.nodes].map(([key, value]): StateChange => ({ kind: "node", key, value })),
      ...[...this.devices].map(([key, value]): StateChange => ({ kind: "device", key, value })),
      ...[...this.tasks].map(([key, value]): StateChange => ({ kind: "task", key, value })),
      ...[...this.models].map(([key, value]): StateChange => ({ kind: "model", key, value })),
      { kind: "taskSeq", key: "taskSeq", value: this.taskSeq },
    ];
  }
}

/** A change read back from disk: its shape checked, so a corrupt line is dropped rather than restored. */
export function isStateChange(c: unknown): c is StateChange {
  if (typeof c !== "object" || c === null) return false;
  const { kind, key, value } = c as Record<string, unknown>;
  if (typeof key !== "string") return false;
  if (kind === "taskSeq") return typeof value === "number" && Number.isInteger(value) && value >= 0;
  if (kind === "model") return value === null || isStoredModel(value);
  if (kind !== "node" && kind !== "device" && kind !== "task") return false;
  return value === null || (typeof value === "object" && !Array.isArray(value));
}

function isStoredModel(v: unknown): v is StoredModel {
  if (typeof v !== "object" || v === null) return false;
  const m = v as Record<string, unknown>;
  const finite = (x: unknown) => typeof x === "number" && Number.isFinite(x);
  return (m.kind === "exponential" || m.kind === "power") && finite(m.a) && finite(m.b) && finite(m.r2) && m.source === "live";
}
