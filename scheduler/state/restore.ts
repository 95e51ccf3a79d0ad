// A restart with an existing state directory: the stored nodes, devices,
// tasks (placed exactly as they were: node, share, seq, age), service
// bindings and task id sequence go back into memory before the service
// listens and before the migration manager recovers its moves, so that
// recovery's rollback (the task back on its source) or completion (on its
// destination) starts from the placement the move left.
import type { ServiceBinding } from "../executor/executor.js";
import type { PlacementPolicy } from "../placement/types.js";
import type { DurableState } from "./durable-state.js";
import type { SchedulerSnapshot, StateChange, StoredDevice, StoredModel } from "./records.js";

export interface RestoreTarget {
  policy: PlacementPolicy;
  devices: Map<string, StoredDevice>;
  /** The task's workload runs with this binding (its IP is taken again). */
  adopt(taskId: string, binding: ServiceBinding): void;
  setTaskSeq(n: number): void;
  /** A class's refitted model serves again (new decisions use it). */
  setModel?(key: string, model: StoredModel): void;
}

export interface RestoreResult {
  /** What could not be restored as stored, for the log. */
  notes: string[];
  /** Records that memory now holds differently (a move that was never recorded, undone): to commit. */
  fixes: StateChange[];
}

/** `movesInFlight`: tasks with an unfinished move in the migration journal (recovery will settle them). */
export function restoreState(snap: SchedulerSnapshot, target: RestoreTarget, durable: DurableState, movesInFlight: ReadonlySet<string>): RestoreResult {
  const { policy } = target;
  const notes: string[] = [];
  const fixes: StateChange[] = [];
  for (const spec of snap.nodes) {
    const existing = policy.nodes().find((n) => n.name === spec.name);
    if (existing && sameSpec(existing, spec)) continue;
    // The stored spec is newer than the one the scheduler started with (--nodes).
    if (existing) policy.removeNode(spec.name);
    policy.addNode(spec);
  }
  for (const { key, model } of snap.models ?? []) target.setModel?.(key, model);
  for (const d of snap.devices) target.devices.set(d.id, d);
  for (const t of snap.tasks) {
    try {
      policy.restore(t);
    } catch (err) {
      notes.push(`task ${t.request.id} not restored: ${(err as Error).message}`);
      fixes.push({ kind: "task", key: t.request.id, value: null });
      continue;
    }
    if (t.binding) target.adopt(t.request.id, t.binding);
    if (!t.moving) continue;
    if (movesInFlight.has(t.request.id)) {
      durable.setMoving(t.request.id, t.moving);
      continue;
    }
    // Placed on `to` for a move the crash kept from being recorded: the workload never left `from`.
    if (!policy.relocate(t.request.id, t.moving.from)) notes.push(`task ${t.request.id}: cannot put it back on ${t.moving.from}`);
    else notes.push(`task ${t.request.id}: its move ${t.moving.from} -> ${t.moving.to} was never recorded; back on ${t.moving.from}`);
    fixes.push(durable.task(t.request.id));
  }
  target.setTaskSeq(snap.taskSeq);
  return { notes, fixes };
}

function sameSpec(a: { tier: string; cpus: number; netDelayMs: number; endpoint?: string }, b: typeof a): boolean {
  return a.tier === b.tier && a.cpus === b.cpus && a.netDelayMs === b.netDelayMs && (a.endpoint ?? "") === (b.endpoint ?? "");
}
