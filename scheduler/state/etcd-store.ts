// The scheduler's StateStore on etcd (`--store etcd://...`): each record is a
// key /fleximigrate/scheduler/state/<kind>/<key> holding its JSON; a batch is
// one etcd transaction of puts and deletes (src/etcd/keyed-records.ts), so it
// is all or nothing and no other scheduler sees half of it.
import type { Etcd3 } from "etcd3";
import { readKeyed, type WriteGuard, writeKeyed } from "../../src/etcd/keyed-records.js";
import { isStateChange, type SchedulerSnapshot, type StateChange, StateTables } from "./records.js";
import type { StateStore } from "./store.js";

export const STATE_PREFIX = "/fleximigrate/scheduler/state/";

export class EtcdStateStore implements StateStore {
  constructor(
    private readonly client: Etcd3,
    private readonly onClose: () => void = () => {},
    /** A leader's fence (scheduler HA): every batch commits only in its term. */
    private readonly guard?: WriteGuard,
  ) {}

  apply(changes: StateChange[]): Promise<void> {
    return writeKeyed(this.client, STATE_PREFIX, changes, this.guard);
  }

  async load(): Promise<SchedulerSnapshot> {
    const tables = new StateTables();
    for (const c of await readKeyed(this.client, STATE_PREFIX, isStateChange)) tables.apply(c);
    return tables.snapshot();
  }

  async close(): Promise<void> {
    this.onClose();
  }
}
