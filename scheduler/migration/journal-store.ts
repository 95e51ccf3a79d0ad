// The embedded MigrationStore: a JSON-lines journal (migrations.jsonl) under
// the scheduler's --state-dir, one line per save, on disk before the save
// resolves (src/journal/jsonl-file.ts). Opening keeps the latest line per id
// and drops a torn last line.
import { JsonlFile } from "../../src/journal/jsonl-file.js";
import type { ManagedMove } from "./record.js";
import type { MigrationStore } from "./store.js";

export const JOURNAL_FILE = "migrations.jsonl";

export interface JournalOpenResult {
  store: JournalStore;
  /** Lines dropped while reading (a torn last line, or corrupt ones), for the log. */
  dropped: string[];
}

function parseMove(value: unknown): ManagedMove {
  const r = value as ManagedMove;
  if (typeof r?.id !== "string" || typeof r.state !== "string") throw new Error("not a migration record");
  return r;
}

/** The latest line per id, in first-save order. */
function latestById(lines: ManagedMove[]): Map<string, ManagedMove> {
  const latest = new Map<string, ManagedMove>();
  for (const r of lines) latest.set(r.id, r);
  return latest;
}

export class JournalStore implements MigrationStore {
  private constructor(
    private readonly file: JsonlFile<ManagedMove>,
    private readonly latest: Map<string, ManagedMove>,
  ) {
    file.compactWhenGrown({ current: () => [...latest.values()] });
  }

  get path(): string {
    return this.file.path;
  }

  /** Reads, compacts and opens the journal under `dir` (created when missing). */
  static async open(dir: string): Promise<JournalOpenResult> {
    const opened = await JsonlFile.open(dir, JOURNAL_FILE, parseMove, (lines) => [...latestById(lines).values()]);
    return { store: new JournalStore(opened.file, latestById(opened.lines)), dropped: opened.dropped };
  }

  save(record: ManagedMove): Promise<void> {
    const copy = structuredClone(record);
    return this.file.append(record, () => this.latest.set(copy.id, copy));
  }

  async loadAll(): Promise<ManagedMove[]> {
    await this.file.settled();
    return [...this.latest.values()].map((r) => structuredClone(r));
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
