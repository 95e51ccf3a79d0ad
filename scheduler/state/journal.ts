// The embedded StateStore: a JSON-lines journal (state.jsonl) under the
// scheduler's --state-dir, next to the migration journal and with its
// discipline. Each batch is one line, appended and fsynced before apply
// resolves (so a batch is all or nothing: a crash mid-append leaves at most
// that last line torn, and a torn line is dropped on open). Opening compacts
// it: the current records, written to a temp file, fsynced and renamed over.
import { mkdirSync, readFileSync } from "node:fs";
import { type FileHandle, open, rename } from "node:fs/promises";
import path from "node:path";
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

export class StateJournal implements StateStore {
  private chain: Promise<void> = Promise.resolve();
  /** Bytes of whole lines: a failed append is cut back to it, so the next line starts clean. */
  private size = 0;

  private constructor(
    readonly file: string,
    private readonly handle: FileHandle,
    private readonly tables: StateTables,
  ) {}

  /** Reads, compacts and opens the journal under `dir` (created when missing). */
  static async open(dir: string): Promise<StateJournalOpenResult> {
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, STATE_FILE);
    const { tables, dropped, existed } = readJournal(file);
    const tmp = `${file}.compact`;
    const out = await open(tmp, "w", 0o600);
    try {
      await out.writeFile(tables.changes().map((c) => `${JSON.stringify({ changes: [c] })}\n`).join(""));
      await out.sync();
    } finally {
      await out.close();
    }
    await rename(tmp, file);
    await syncDir(dir);
    const handle = await open(file, "a", 0o600);
    const store = new StateJournal(file, handle, tables);
    store.size = (await handle.stat()).size;
    return { store, dropped, existed };
  }

  apply(changes: StateChange[]): Promise<void> {
    const line = `${JSON.stringify({ changes })}\n`;
    const copy = structuredClone(changes);
    // One append at a time: lines never interleave; the tables change only once the line is on disk.
    const next = this.chain.then(async () => {
      try {
        await this.handle.appendFile(line);
        await this.handle.sync();
      } catch (err) {
        await this.handle.truncate(this.size).catch(() => {});
        throw err;
      }
      this.size += Buffer.byteLength(line);
      for (const c of copy) this.tables.apply(c);
    });
    this.chain = next.catch(() => {});
    return next;
  }

  async load(): Promise<SchedulerSnapshot> {
    await this.chain;
    return this.tables.snapshot();
  }

  async close(): Promise<void> {
    await this.chain;
    await this.handle.close();
  }
}

function readJournal(file: string): { tables: StateTables; dropped: string[]; existed: boolean } {
  const tables = new StateTables();
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { tables, dropped: [], existed: false };
    throw err;
  }
  const dropped: string[] = [];
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    const torn = i === lines.length - 1; // no newline after it: the append did not finish
    try {
      const batch = JSON.parse(line) as { changes?: unknown };
      if (!Array.isArray(batch?.changes) || !batch.changes.every(isStateChange)) throw new Error("not a state batch");
      for (const c of batch.changes) tables.apply(c);
    } catch (err) {
      dropped.push(`${path.basename(file)} line ${i + 1}${torn ? " (torn last line)" : ""}: ${(err as Error).message}`);
    }
  });
  return { tables, dropped, existed: true };
}

async function syncDir(dir: string): Promise<void> {
  const h = await open(dir, "r");
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}
