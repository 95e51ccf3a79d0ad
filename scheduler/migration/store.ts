// Where managed moves are kept durably. A record is saved before the step its
// state starts, so a restarted scheduler knows what may have changed. The
// embedded journal (journal-store.ts) implements it; an etcd store can too:
// save is a put of the record under its id, loadAll a range read.
import type { ManagedMove } from "./record.js";

export interface MigrationStore {
  /** Resolves once the record is durable (it replaces the earlier one with its id). */
  save(record: ManagedMove): Promise<void>;
  /** The latest record of every move, in first-save order. */
  loadAll(): Promise<ManagedMove[]>;
  close(): Promise<void>;
}

/** Not durable: for tests and for runs that ask for no state directory. */
export class MemoryStore implements MigrationStore {
  private readonly records = new Map<string, ManagedMove>();
  saves = 0;

  async save(record: ManagedMove): Promise<void> {
    this.saves++;
    this.records.set(record.id, structuredClone(record));
  }

  async loadAll(): Promise<ManagedMove[]> {
    return [...this.records.values()].map((r) => structuredClone(r));
  }

  async close(): Promise<void> {}
}
