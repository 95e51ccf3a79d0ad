// The MigrationStore on etcd: a move's record is the key
// /fleximigrate/scheduler/migration/<id>, replaced by each save (a put is
// atomic, fenced by the leader's term under HA); loadAll reads the prefix in creation order (first save first).
import type { Etcd3 } from "etcd3";
import { prefixEnd } from "../../src/etcd/connect.js";
import { fencedTxn, type WriteGuard } from "../../src/etcd/keyed-records.js";
import type { ManagedMove } from "./record.js";
import type { MigrationStore } from "./store.js";

export const MIGRATION_PREFIX = "/fleximigrate/scheduler/migration/";

export class EtcdMigrationStore implements MigrationStore {
  constructor(
    private readonly client: Etcd3,
    private readonly onClose: () => void = () => {},
    private readonly guard?: WriteGuard,
  ) {}

  async save(record: ManagedMove): Promise<void> {
    const key = Buffer.from(`${MIGRATION_PREFIX}${encodeURIComponent(record.id)}`);
    await fencedTxn(this.client, [{ request_put: { key, value: Buffer.from(JSON.stringify(record)) } }], this.guard);
  }

  async loadAll(): Promise<ManagedMove[]> {
    const res = await this.client.kv.range({ key: Buffer.from(MIGRATION_PREFIX), range_end: prefixEnd(MIGRATION_PREFIX), sort_target: "Create", sort_order: "Ascend" });
    return res.kvs.map((kv) => {
      const r = JSON.parse(kv.value.toString()) as ManagedMove;
      if (typeof r?.id !== "string" || typeof r.state !== "string") throw new Error(`etcd key ${kv.key.toString()} does not hold a migration record`);
      return r;
    });
  }

  async close(): Promise<void> {
    this.onClose();
  }
}
