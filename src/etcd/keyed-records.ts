// Records keyed by kind and key, as the services' state tables hold them,
// kept in etcd: PREFIX<kind>/<key> holds the value's JSON; a batch of changes
// is one transaction of puts and deletes (all of it or none, and no reader
// sees half); a read is one range over the prefix, in creation order.
import type { Etcd3 } from "etcd3";
import type { Batch, Sink } from "../journal/snapshot-journal.js";
import { prefixEnd } from "./connect.js";
import type { Fence } from "./leadership.js";

export interface KeyedChange {
  kind: string;
  key: string;
  /** null deletes the record. */
  value: unknown;
}

/** etcd's default --max-txn-ops: a larger batch is refused before anything is sent. */
export const MAX_TXN_OPS = 128;

const recordKey = (prefix: string, c: Pick<KeyedChange, "kind" | "key">) => Buffer.from(`${prefix}${c.kind}/${encodeURIComponent(c.key)}`);

/** A fenced write refused: the term it was fenced by is over (another process leads, or none). */
export class FenceLostError extends Error {
  constructor(detail: string) {
    super(`not written: this process no longer leads (${detail})`);
    this.name = "FenceLostError";
  }
}

/** Writes `changes` as one transaction; with `fence`, only while the fence's campaign key still exists as created (else FenceLostError). */
export async function writeKeyed(client: Etcd3, prefix: string, changes: KeyedChange[], fence?: Fence): Promise<void> {
  if (changes.length === 0) return;
  if (changes.length > MAX_TXN_OPS) throw new Error(`a batch of ${changes.length} changes exceeds etcd's ${MAX_TXN_OPS} operations per transaction`);
  const res = await client.kv.txn({
    compare: fence ? [{ key: Buffer.from(fence.key), target: "Create", result: "Equal", create_revision: fence.createRevision }] : [],
    success: changes.map((c) =>
      c.value === null
        ? { request_delete_range: { key: recordKey(prefix, c) } }
        : { request_put: { key: recordKey(prefix, c), value: Buffer.from(JSON.stringify(c.value)) } },
    ),
  });
  if (fence && !res.succeeded) throw new FenceLostError(`the term of revision ${fence.createRevision} is over`);
}

/** Every record under `prefix` as a change that puts it; `isChange` checks each (a foreign key is an error naming it). */
export async function readKeyed<C extends KeyedChange>(client: Etcd3, prefix: string, isChange: (c: unknown) => c is C): Promise<C[]> {
  const res = await client.kv.range({ key: Buffer.from(prefix), range_end: prefixEnd(prefix), sort_target: "Create", sort_order: "Ascend" });
  return res.kvs.map((kv) => {
    const rest = kv.key.toString().slice(prefix.length);
    const slash = rest.indexOf("/");
    const change = { kind: rest.slice(0, slash), key: decodeURIComponent(rest.slice(slash + 1)), value: JSON.parse(kv.value.toString()) as unknown };
    if (slash < 0 || !isChange(change)) throw new Error(`etcd key ${kv.key.toString()} does not hold a record of ${prefix}`);
    return change;
  });
}

/** A snapshot journal's sink in etcd: each batch one transaction. */
export class EtcdKeyedSink<C extends KeyedChange> implements Sink<C> {
  constructor(
    private readonly client: Etcd3,
    private readonly prefix: string,
    private readonly where: string,
    private readonly onClose: () => void = () => {},
    /** Leader-only writes: the fence in force, or undefined when this process does not lead (the write is refused). */
    private readonly guard?: () => Fence | undefined,
  ) {}

  get path(): string {
    return `${this.where}${this.prefix}`;
  }

  async append(batch: Batch<C>, onDisk: () => void): Promise<void> {
    let fence: Fence | undefined;
    if (this.guard) {
      fence = this.guard();
      if (!fence) throw new FenceLostError("not elected");
    }
    await writeKeyed(this.client, this.prefix, batch.changes, fence);
    onDisk();
  }

  async close(): Promise<void> {
    this.onClose();
  }
}
