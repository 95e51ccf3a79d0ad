// The service's side of the state store: turns what the placement policy and
// the task runtime hold now into records, and commits batches of them before
// the answer that reports the change. A failed write is a 503 naming the
// cause; the caller then leaves (or puts back) memory as it was.
import { FencedOut, WriteUnsettled } from "../../src/etcd/keyed-records.js";
import { ApiError } from "../../src/http/api-error.js";
import { notLeader } from "../../src/http/not-leader.js";
import type { ServiceBinding } from "../executor/executor.js";
import type { NodeSpec, PlacementPolicy } from "../placement/types.js";
import type { StateChange, StoredDevice, StoredTask } from "./records.js";
import type { StateStore } from "./store.js";

export interface BindingSource {
  binding(taskId: string): ServiceBinding | undefined;
}

export class DurableState {
  /** Whether moves between agents' nodes are managed (and their end written by SyncedMoveStore): only then are they marked moving. */
  tracksMoves = false;
  /** Tasks whose managed move is in flight: from where (kept in their records until the move ends). */
  private readonly moving = new Map<string, { from: string; to: string }>();

  constructor(
    readonly store: StateStore,
    private readonly policy: PlacementPolicy,
    private readonly bindings: BindingSource,
  ) {}

  /** The task's record as memory holds it now, or its deletion when it is no longer placed. */
  task(id: string): StateChange {
    const r = this.policy.record(id);
    if (!r) return { kind: "task", key: id, value: null };
    const value: StoredTask = structuredClone(r);
    const binding = this.bindings.binding(id);
    if (binding) value.binding = structuredClone(binding);
    const moving = this.moving.get(id);
    if (moving) value.moving = { ...moving };
    return { kind: "task", key: id, value };
  }

  node(spec: NodeSpec): StateChange {
    return { kind: "node", key: spec.name, value: { ...spec } };
  }

  nodeRemoved(name: string): StateChange {
    return { kind: "node", key: name, value: null };
  }

  device(d: StoredDevice): StateChange {
    return { kind: "device", key: d.id, value: { ...d } };
  }

  taskSeq(n: number): StateChange {
    return { kind: "taskSeq", key: "taskSeq", value: n };
  }

  /** A managed move of the task starts (the placement shows `to`) or ends. */
  setMoving(id: string, move: { from: string; to: string } | undefined): void {
    if (move && this.tracksMoves) this.moving.set(id, move);
    else this.moving.delete(id);
  }

  isMoving(id: string): boolean {
    return this.moving.has(id);
  }

  /** Durable once it resolves; a failed write throws a 503 (nothing of the batch is kept). */
  async commit(changes: StateChange[]): Promise<void> {
    try {
      await this.store.apply(changes);
    } catch (err) {
      // Another scheduler leads now (HA): nothing was written; the client asks again elsewhere.
      if (err instanceof FencedOut) throw notLeader("scheduler", undefined, `this scheduler no longer leads (${err.message})`);
      if (err instanceof WriteUnsettled) {
        const reason = `state store write unconfirmed: ${err.message}`;
        throw new ApiError(503, "UNAVAILABLE", `${reason}; this scheduler steps down and the next leader serves what etcd holds (read the task back before sending it again)`, { reason });
      }
      const reason = `state store write failed: ${(err as Error).message}`;
      throw new ApiError(503, "UNAVAILABLE", `${reason}; nothing was changed`, { reason });
    }
  }
}
