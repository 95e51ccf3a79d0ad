// An embedded store over a JSON-lines journal (jsonl-file.ts) for a service
// whose live parts stay the truth: `sync` captures them, writes what differs
// from what is on disk as one batch (one fsynced line), and resolves once it
// is there. Syncs run one at a time, each against what the previous one
// wrote, so a change made while another was being written goes out with the
// next sync, and a failed one leaves its changes to the next. At open, the
// journal is read (a torn last line dropped) and compacted to the records.
// The controller's and the agent's state journals are this, with their own
// record tables. Where the batches go is a Sink: the JSON-lines file here, or
// a distributed store (src/etcd/keyed-sink.ts) that holds the same records.
import { ApiError } from "../http/api-error.js";
import { JsonlFile } from "./jsonl-file.js";

/** A service's records as tables: apply a change, diff a live snapshot against them, rebuild them. */
export interface RecordTables<C, S> {
  apply(change: C): void;
  diff(now: S): C[];
  snapshot(): S;
  /** The changes that rebuild these tables from nothing (what compaction writes). */
  changes(): C[];
}

export interface SnapshotJournalKind<C, S> {
  /** The file's name under the state directory. */
  file: string;
  /** Says what a line holds in errors: "controller state", "agent state". */
  what: string;
  isChange(value: unknown): value is C;
  tables(): RecordTables<C, S>;
}

export interface Batch<C> {
  changes: C[];
}

/** Where written batches go; `append` resolves once the batch is durable, after `onDisk` ran. */
export interface Sink<C> {
  readonly path: string;
  append(batch: Batch<C>, onDisk: () => void): Promise<void>;
  close(): Promise<void>;
}

export interface SnapshotJournalOpened<C, S> {
  journal: SnapshotJournal<C, S>;
  /** What the directory held from an earlier run (empty when new). */
  snapshot: S;
  /** Lines dropped while reading (a torn last line, or corrupt ones), for the log. */
  dropped: string[];
  existed: boolean;
}

export class SnapshotJournal<C, S> {
  private queue: Promise<void> = Promise.resolve();
  /** Batches written since open (for the log and tests). */
  batches = 0;

  private constructor(
    private readonly kind: SnapshotJournalKind<C, S>,
    private readonly file: Sink<C>,
    private readonly onDisk: RecordTables<C, S>,
    private readonly capture: () => S,
  ) {}

  /** A journal over another sink that already holds `records` (e.g. read from etcd). */
  static over<C, S>(kind: SnapshotJournalKind<C, S>, sink: Sink<C>, records: C[], capture: () => S): SnapshotJournalOpened<C, S> {
    const tables = kind.tables();
    for (const c of records) tables.apply(c);
    return { journal: new SnapshotJournal(kind, sink, tables, capture), snapshot: tables.snapshot(), dropped: [], existed: records.length > 0 };
  }

  get path(): string {
    return this.file.path;
  }

  /** Reads, compacts and opens the journal under `dir` (made when missing); `capture` reads the live parts. */
  static async open<C, S>(kind: SnapshotJournalKind<C, S>, dir: string, capture: () => S): Promise<SnapshotJournalOpened<C, S>> {
    const parse = (value: unknown): Batch<C> => {
      const batch = value as { changes?: unknown };
      if (!Array.isArray(batch?.changes) || !batch.changes.every((c) => kind.isChange(c))) throw new Error(`not a ${kind.what} batch`);
      return batch as Batch<C>;
    };
    const tablesOf = (batches: Batch<C>[]) => {
      const tables = kind.tables();
      for (const b of batches) for (const c of b.changes) tables.apply(c);
      return tables;
    };
    const opened = await JsonlFile.open(dir, kind.file, parse, (batches) => {
      const changes = tablesOf(batches).changes();
      return changes.length ? [{ changes }] : [];
    });
    const tables = tablesOf(opened.lines);
    opened.file.compactWhenGrown({
      current: () => {
        const changes = tables.changes();
        return changes.length ? [{ changes }] : [];
      },
    });
    return { journal: new SnapshotJournal(kind, opened.file, tables, capture), snapshot: tables.snapshot(), dropped: opened.dropped, existed: opened.existed };
  }

  /** Writes what changed in the live parts since the last write; resolves once it is on disk. A failed write rejects with a 503 naming the cause. */
  sync(): Promise<void> {
    const run = this.queue.then(async () => {
      const changes = this.onDisk.diff(this.capture());
      if (changes.length === 0) return;
      try {
        await this.file.append({ changes }, () => {
          for (const c of changes) this.onDisk.apply(c);
        });
      } catch (err) {
        const reason = `${this.kind.what} write failed: ${(err as Error).message}`;
        throw new ApiError(503, "UNAVAILABLE", reason, { reason });
      }
      this.batches++;
    });
    this.queue = run.catch(() => {});
    return run;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.file.close();
  }
}
