// The embedded MigrationStore: a JSON-lines journal (migrations.jsonl) under
// the scheduler's --state-dir. Each save appends one line and fsyncs before
// it resolves. Opening compacts it (the latest line per id, written to a temp
// file, fsynced and renamed over), and tolerates a torn last line: a crash
// mid-append leaves at most that one line unfinished.
import { mkdirSync, readFileSync } from "node:fs";
import { type FileHandle, open, rename } from "node:fs/promises";
import path from "node:path";
import type { ManagedMove } from "./record.js";
import type { MigrationStore } from "./store.js";

export const JOURNAL_FILE = "migrations.jsonl";

export interface JournalOpenResult {
  store: JournalStore;
  /** Lines dropped while reading (a torn last line, or corrupt ones), for the log. */
  dropped: string[];
}

export class JournalStore implements MigrationStore {
  private chain: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string,
    private readonly handle: FileHandle,
    private readonly latest: Map<string, ManagedMove>,
  ) {}

  /** Reads, compacts and opens the journal under `dir` (created when missing). */
  static async open(dir: string): Promise<JournalOpenResult> {
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, JOURNAL_FILE);
    const { records, dropped } = readJournal(file);
    const tmp = `${file}.compact`;
    const out = await open(tmp, "w", 0o600);
    try {
      await out.writeFile([...records.values()].map((r) => `${JSON.stringify(r)}\n`).join(""));
      await out.sync();
    } finally {
      await out.close();
    }
    await rename(tmp, file);
    await syncDir(dir);
    const handle = await open(file, "a", 0o600);
    return { store: new JournalStore(file, handle, records), dropped };
  }

  save(record: ManagedMove): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    const copy = structuredClone(record);
    // One append at a time: lines never interleave, and a save resolves only once its line is on disk.
    const next = this.chain.then(async () => {
      await this.handle.appendFile(line);
      await this.handle.sync();
      this.latest.set(copy.id, copy);
    });
    this.chain = next.catch(() => {});
    return next;
  }

  async loadAll(): Promise<ManagedMove[]> {
    await this.chain;
    return [...this.latest.values()].map((r) => structuredClone(r));
  }

  async close(): Promise<void> {
    await this.chain;
    await this.handle.close();
  }
}

function readJournal(file: string): { records: Map<string, ManagedMove>; dropped: string[] } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { records: new Map(), dropped: [] };
    throw err;
  }
  const records = new Map<string, ManagedMove>();
  const dropped: string[] = [];
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    const torn = i === lines.length - 1; // no newline after it: the append did not finish
    try {
      const r = JSON.parse(line) as ManagedMove;
      if (typeof r?.id !== "string" || typeof r.state !== "string") throw new Error("not a migration record");
      records.set(r.id, r); // a later line replaces an earlier one, keeping first-save order
    } catch (err) {
      dropped.push(`${path.basename(file)} line ${i + 1}${torn ? " (torn last line)" : ""}: ${(err as Error).message}`);
    }
  });
  return { records, dropped };
}

async function syncDir(dir: string): Promise<void> {
  const h = await open(dir, "r");
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}
