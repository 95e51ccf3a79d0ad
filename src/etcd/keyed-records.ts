// Records keyed by kind and key, as the services' state tables hold them,
// kept in etcd: PREFIX<kind>/<key> holds the value's JSON; a batch of changes
// is one transaction of puts and deletes (all of it or none, and no reader
// sees half); a read is one range over the prefix, in creation order.
import type { Etcd3, ICompare, IRequestOp } from "etcd3";
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

/**
 * What a leader's writes carry: the fence of its term (none: unfenced, one
 * process alone) and a bound on each transaction, so that a write to a
 * cluster without quorum fails in time instead of waiting for ever.
 */
export interface WriteGuard {
  fence(): Fence | undefined;
  /** Per transaction, ms (default 5000). */
  timeoutMs?: number;
  /** Told of every refused write, before it is thrown (the process steps down). */
  onFenced?(err: FencedOut): void;
  /** Told of every write etcd did not confirm (the process steps down: what it holds in memory may differ from etcd). */
  onUnsettled?(err: WriteUnsettled): void;
}

/**
 * etcd did not confirm a fenced write (no quorum, no answer in time): it may
 * yet be applied when the cluster recovers, so the writer cannot tell what
 * etcd holds; under a guard, the leader steps down and the next term reads it.
 */
export class WriteUnsettled extends Error {
  override readonly name = "WriteUnsettled";
  constructor(readonly reason: string) {
    super(`etcd did not confirm the write (${reason}): it may yet be applied when the cluster recovers`);
  }
}

/** A write refused by its fence: another process leads now; nothing of it was kept. */
export class FencedOut extends Error {
  override readonly name = "FencedOut";
  constructor(readonly fence: Fence | undefined) {
    super(fence ? `the leadership term ${fence.createRevision} ended: another process leads, the write was refused` : "this process does not lead: the write was refused");
  }
}

/**
 * Commits `ops` as one transaction; under a guard only while its fence holds
 * (the campaign key still exists with the term's create revision).
 */
export async function fencedTxn(client: Etcd3, ops: IRequestOp[], guard?: WriteGuard): Promise<void> {
  if (!guard) {
    await client.kv.txn({ compare: [], success: ops });
    return;
  }
  const refuse = (fence: Fence | undefined): never => {
    const err = new FencedOut(fence);
    guard.onFenced?.(err);
    throw err;
  };
  const fence = guard.fence() ?? refuse(undefined);
  const compare: ICompare[] = [{ key: Buffer.from(fence.key), target: "Create", result: "Equal", create_revision: fence.createRevision }];
  let succeeded: boolean;
  try {
    succeeded = (await client.kv.txn({ compare, success: ops }, { deadline: Date.now() + (guard.timeoutMs ?? 5_000) })).succeeded;
  } catch (err) {
    const e = err as { details?: string; message?: string };
    const unsettled = new WriteUnsettled((e.details ?? e.message ?? String(err)).split("\n")[0]!);
    guard.onUnsettled?.(unsettled);
    throw unsettled;
  }
  if (!succeeded) refuse(fence);
}

export async function writeKeyed(client: Etcd3, prefix: string, changes: KeyedChange[], guard?: WriteGuard): Promise<void> {
  if (changes.length === 0) return;
  // One operation is the fence's compare, which etcd does not count against --max-txn-ops.
  if (changes.length > MAX_TXN_OPS) throw new Error(`a batch of ${changes.length} changes exceeds etcd's ${MAX_TXN_OPS} operations per transaction`);
  await fencedTxn(
    client,
    changes.map((c) =>
      c.value === null
        ? { request_delete_range: { key: recordKey(prefix, c) } }
        : { request_put: { key: recordKey(prefix, c), value: Buffer.from(JSON.stringify(c.value)) } },
    ),
    guard,
  );
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
    private readonly guard?: WriteGuard,
  ) {}

  get path(): string {
    return `${this.where}${this.prefix}`;
  }

  async append(batch: Batch<C>, onDisk: () => void): Promise<void> {
    await writeKeyed(this.client, this.prefix, batch.changes, this.guard);
    onDisk();
  }

  async close(): Promise<void> {
    this.onClose();
  }
}
