// Where the scheduler's own state is kept durably (nodes, devices, tasks with
// their placements and service bindings, the task id sequence). A change is
// applied before the answer that reports it. The embedded journal
// (journal.ts) implements it; an etcd store can too: a batch is one
// transaction of puts and deletes under /scheduler/<kind>/<key>, load a range
// read of that prefix.
import { type SchedulerSnapshot, type StateChange, StateTables } from "./records.js";

export interface StateStore {
  /** Resolves once every change of the batch is durable; all or nothing. Rejects (and keeps nothing) on a write failure. */
  apply(changes: StateChange[]): Promise<void>;
  load(): Promise<SchedulerSnapshot>;
  close(): Promise<void>;
}

/** Not durable: for tests and for runs without a state directory. */
export class MemoryStateStore implements StateStore {
  readonly tables = new StateTables();
  /** Batches applied so far. */
  batches = 0;

  async apply(changes: StateChange[]): Promise<void> {
    this.batches++;
    for (const c of structuredClone(changes)) this.tables.apply(c);
  }

  async load(): Promise<SchedulerSnapshot> {
    return this.tables.snapshot();
  }

  async close(): Promise<void> {}
}
