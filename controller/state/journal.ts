// The controller's embedded store: a JSON-lines journal (controller-state.jsonl)
// under its --state-dir, with the scheduler's discipline
// (src/journal/jsonl-file.ts): each batch one line, fsynced before the
// change is acknowledged, a torn last line dropped on open, compacted to the
// current records at open.
//
// The live parts (DNS table, redirect store, nodes, overlay) stay the truth:
// `sync` captures them, writes what differs from what is on disk as one
// batch, and resolves once it is there. Syncs run one at a time, each
// comparing against what the previous one wrote, so a change made while
// another was being written goes out with the next sync, and a sync that
// failed leaves its changes for the next one.
import { ApiError } from "../../src/http/api-error.js";
import { JsonlFile } from "../../src/journal/jsonl-file.js";
import { type ControllerChange, type ControllerSnapshot, ControllerTables, isControllerChange } from "./records.js";

export const CONTROLLER_STATE_FILE = "controller-state.jsonl";

interface Batch {
  changes: ControllerChange[];
}

function parseBatch(value: unknown): Batch {
  const batch = value as { changes?: unknown };
  if (!Array.isArray(batch?.changes) || !batch.changes.every(isControllerChange)) throw new Error("not a controller state batch");
  return batch as Batch;
}

function tablesOf(batches: Batch[]): ControllerTables {
  const tables = new ControllerTables();
  for (const b of batches) for (const c of b.changes) tables.apply(c);
  return tables;
}

export interface ControllerJournalOpened {
  journal: ControllerJournal;
  /** What the directory held from an earlier run (empty when new). */
  snapshot: ControllerSnapshot;
  /** Lines dropped while reading (a torn last line, or corrupt ones), for the log. */
  dropped: string[];
  existed: boolean;
}

export class ControllerJournal {
  private queue: Promise<void> = Promise.resolve();
  /** Batches written since open (for the log and tests). */
  batches = 0;

  private constructor(
    private readonly file: JsonlFile<Batch>,
    private readonly onDisk: ControllerTables,
    private readonly capture: () => ControllerSnapshot,
  ) {}

  get path(): string {
    return this.file.path;
  }

  /** Reads, compacts and opens the journal under `dir` (made when missing); `capture` reads the live parts. */
  static async open(dir: string, capture: () => ControllerSnapshot): Promise<ControllerJournalOpened> {
    const opened = await JsonlFile.open(dir, CONTROLLER_STATE_FILE, parseBatch, (batches) => {
      const changes = tablesOf(batches).changes();
      return changes.length ? [{ changes }] : [];
    });
    const tables = tablesOf(opened.lines);
    return { journal: new ControllerJournal(opened.file, tables, capture), snapshot: tables.snapshot(), dropped: opened.dropped, existed: opened.existed };
  }

  /**
   * Writes what changed in the live parts since the last write; resolves once
   * it is on disk. A failed write rejects with a 503 naming the cause.
   */
  sync(): Promise<void> {
    const run = this.queue.then(async () => {
      const changes = this.onDisk.diff(this.capture());
      if (changes.length === 0) return;
      try {
        await this.file.append({ changes }, () => {
          for (const c of changes) this.onDisk.apply(c);
        });
      } catch (err) {
        const reason = `controller state write failed: ${(err as Error).message}`;
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
