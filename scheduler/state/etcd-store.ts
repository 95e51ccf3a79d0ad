// The scheduler's StateStore on etcd (`--store etcd://...`): each record is a
// key /fleximigrate/scheduler/state/<kind>/<key> holding its JSON; a batch is
// one etcd transaction of puts and deletes, so it is all or nothing and no
// other scheduler sees half of it. load is one range read of the prefix.
import type { Etcd3 } from "etcd3";
import { prefixEnd } from "../../src/etcd/connect.js";
import { isStateChange, type SchedulerSnapshot, type StateChange, StateTables } from "./records.js";
import type { StateStore } from "./store.js";

export const STATE_PREFIX = "/fleximigrate/scheduler/state/";
/** etcd's default --max-txn-ops: a larger batch is refused before anything is sent. */
export const MAX_TXN_OPS = 128;

const keyOf = (c: Pick<StateChange, "kind" | "key">) => `${STATE_PREFIX}${c.kind}/${encodeURIComponent(c.key)}`;

export class EtcdStateStore implements StateStore {
  constructor(
    private readonly client: Etcd3,
    private readonly onClose: () => void = () => {},
  ) {}

  async apply(changes: StateChange[]): Promise<void> {
    if (changes.length === 0) return;
    if (changes.length > MAX_TXN_OPS) throw new Error(`a batch of ${changes.length} changes exceeds etcd's ${MAX_TXN_OPS} operations per transaction`);
    await this.client.kv.txn({
      compare: [],
      success: changes.map((c) =>
        c.value === null
          ? { request_delete_range: { key: Buffer.from(keyOf(c)) } }
          : { request_put: { key: Buffer.from(keyOf(c)), value: Buffer.from(JSON.stringify(c.value)) } },
      ),
    });
  }

  async load(): Promise<SchedulerSnapshot> {
    const res = await this.client.kv.range({ key: Buffer.from(STATE_PREFIX), range_end: prefixEnd(STATE_PREFIX), sort_target: "Create", sort_order: "Ascend" });
    const tables = new StateTables();
    for (const kv of res.kvs) {
      const rest = kv.key.toString().slice(STATE_PREFIX.length);
      const slash = rest.indexOf("/");
      const change = { kind: rest.slice(0, slash), key: decodeURIComponent(rest.slice(slash + 1)), value: JSON.parse(kv.value.toString()) as unknown };
      if (!isStateChange(change)) throw new Error(`etcd key ${kv.key.toString()} does not hold a scheduler record`);
      tables.apply(change);
    }
    return tables.snapshot();
  }

  async close(): Promise<void> {
    this.onClose();
  }
}
