// The embedded StateStore: a JSON-lines journal (state.jsonl) under the
// scheduler's --state-dir, next to the migration journal and with its
// discipline (src/journal/jsonl-file.ts). Each batch is one line, on disk
// before apply resolves, so a batch is all or nothing: a torn last line is
// dropped on open. Opening compacts it to the current records, and so does a
// write that finds it grown past a multiple of them.
import { JsonlFile } from "../../src/journal/jsonl-file.js";
import { isStateChange, type SchedulerSnapshot, type StateChange, StateTables } from "./records.js";
import type { StateStore } from "./store.js";

export const STATE_FILE = "state.jsonl";

export interface StateJournalOpenResult {
  store: StateJournal;
  /** Lines dropped while reading (a torn last line, or corrupt ones), for the log. */
  dropped: string[];
  /** Whether the directory held state from an earlier run. */
  existed: boolean;
}

interface Batch {
  changes: StateChange[];
}

function parseBatch(value: unknown): Batch {
  const batch = value as { changes?: unknown };
  if (!Array.isArray(batch?.changes) || !batch.changes.every(isStateChange)) throw new Error("not a state batch");
  return batch as Batch;
}

function tablesOf(batches: Batch[]): StateTables {
  const tables = new StateTables();
  for (const b of batches) for (const c of b.changes) tables.apply(c);
  return tables;
}

export class StateJournal implements StateStore {
  private constructor(
    private readonly file: JsonlFile<Batch>,
    private readonly tables: StateTables,
  ) {
    // One line per record, as at open: the file stays a bounded multiple of the state.
    file.compactWhenGrown({ current: () => tables.changes().map((c) => ({ changes: [c] })) });
  }

  get path(): string {
    return this.file.path;
  }

  /** Reads, compacts and opens the journal under `dir` (created when missing). */
  static async open(dir: string): Promise<StateJournalOpenResult> {
    const opened = await JsonlFile.open(dir, STATE_FILE, parseBatch, (batches) =>
      tablesOf(batches)
        .changes()
        .map((c) => ({ changes: [c] })),
    );
    return { store: new StateJournal(opened.file, tablesOf(opened.lines)), dropped: opened.dropped, existed: opened.existed };
  }

  apply(changes: StateChange[]): Promise<void> {
    const copy = structuredClone(changes);
    // The tables change only once the line is on disk.
    return this.file.append({ changes }, () => {
      for (const c of copy) this.tables.apply(c);
    });
  }

  async load(): Promise<SchedulerSnapshot> {
    await this.file.settled();
    return this.tables.snapshot();
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
