// An append-only JSON-lines file whose every append is on disk (fsync) before
// it resolves: the embedded store of the scheduler's journals, and of anything
// that must survive a SIGKILL. Opening reads every line through `parse`, drops
// a torn last line (a crash mid-append) or a corrupt one with the reason,
// and compacts: the lines `compact` keeps are written to a temp file, fsynced
// and renamed over, then the directory is fsynced. A failed append is cut
// back, so the next line starts clean. A long-running owner also compacts
// while it runs (compactWhenGrown): the file stays a bounded multiple of the
// records it holds instead of growing with every change until the next start.
import { mkdirSync, readFileSync } from "node:fs";
import { type FileHandle, open, rename } from "node:fs/promises";
import path from "node:path";

export interface JsonlOpened<L> {
  file: JsonlFile<L>;
  /** The lines read (after `parse`), in file order. */
  lines: L[];
  /** Lines dropped while reading, each with why, for the log. */
  dropped: string[];
  /** Whether the file was there before (state from an earlier run). */
  existed: boolean;
}

/** When a running file is rewritten to its records: past `factor` x its size after the last compaction, and past `minBytes`. */
export interface LiveCompaction<L> {
  /** The lines that rebuild what the file holds now (called between writes, when every written line's onDisk ran). */
  current: () => L[];
  minBytes?: number;
  factor?: number;
}

const LIVE_MIN_BYTES = 1 << 20;
const LIVE_FACTOR = 4;

export class JsonlFile<L> {
  private chain: Promise<void> = Promise.resolve();
  /** Bytes of whole lines: a failed append is cut back to it. */
  private size = 0;
  /** Size right after the last compaction. */
  private compactedSize = 0;
  private live?: LiveCompaction<L>;
  /** Live compactions done (for tests and the log). */
  compactions = 0;

  private constructor(
    readonly path: string,
    private handle: FileHandle,
  ) {}

  /**
   * Opens DIR/NAME (both made when missing). `parse` turns a JSON value into a
   * line or throws why it is not one; `compact` picks the lines to keep.
   */
  static async open<L>(dir: string, name: string, parse: (value: unknown) => L, compact: (lines: L[]) => L[]): Promise<JsonlOpened<L>> {
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, name);
    const { lines, dropped, existed } = readLines(file, parse);
    const tmp = `${file}.compact`;
    const out = await open(tmp, "w", 0o600);
    try {
      await out.writeFile(
        compact(lines)
          .map((l) => `${JSON.stringify(l)}\n`)
          .join(""),
      );
      await out.sync();
    } finally {
      await out.close();
    }
    await rename(tmp, file);
    await syncDir(dir);
    const handle = await open(file, "a", 0o600);
    const opened = new JsonlFile<L>(file, handle);
    opened.size = (await handle.stat()).size;
    opened.compactedSize = opened.size;
    return { file: opened, lines, dropped, existed };
  }

  /** Rewrites the file to `live.current()` whenever it has grown past the thresholds (checked after each write). */
  compactWhenGrown(live: LiveCompaction<L>): void {
    this.live = live;
  }

  /** Bytes on disk now. */
  get bytes(): number {
    return this.size;
  }

  private grown(): boolean {
    if (!this.live) return false;
    const { minBytes = LIVE_MIN_BYTES, factor = LIVE_FACTOR } = this.live;
    return this.size >= minBytes && this.size >= factor * this.compactedSize;
  }

  /**
   * Same steps as at open (temp file, fsync, rename, directory fsync), then
   * appends go to the new file. Runs inside drain, so no line is written
   * meanwhile; a failure leaves the old file, complete, in use.
   */
  private async compactLive(): Promise<void> {
    const text = this.live!.current()
      .map((l) => `${JSON.stringify(l)}\n`)
      .join("");
    const tmp = `${this.path}.compact`;
    const out = await open(tmp, "w", 0o600);
    try {
      await out.writeFile(text);
      await out.sync();
    } finally {
      await out.close();
    }
    await rename(tmp, this.path);
    await syncDir(path.dirname(this.path));
    const old = this.handle;
    this.handle = await open(this.path, "a", 0o600);
    await old.close().catch(() => {});
    this.size = this.compactedSize = Buffer.byteLength(text);
    this.compactions++;
  }

  /**
   * Appends `line`; resolves once it is on disk, after `onDisk` ran. Lines
   * never interleave, and `onDisk` (the caller's in-memory change) happens
   * only for a line that was written, in append order. Appends that arrive
   * while a write is under way go together in the next one (group commit):
   * one write and one fsync for all of them, so that concurrent callers do
   * not each wait for an fsync of their own. A failed write fails every
   * line of its group (none of them is kept).
   */
  append(line: L, onDisk: () => void = () => {}): Promise<void> {
    // Outside the promise: a line that cannot be serialized throws at once.
    const text = `${JSON.stringify(line)}\n`;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ text, onDisk, resolve, reject });
      if (this.queue.length === 1 && !this.writing) this.chain = this.drain();
    });
  }

  private readonly queue: Array<{ text: string; onDisk: () => void; resolve: () => void; reject: (err: unknown) => void }> = [];
  private writing = false;

  /** Writes queued lines, a group at a time, until none is left. */
  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, this.queue.length);
        const text = group.map((g) => g.text).join("");
        try {
          await this.handle.appendFile(text);
          await this.handle.sync();
        } catch (err) {
          await this.handle.truncate(this.size).catch(() => {});
          for (const g of group) g.reject(err);
          continue;
        }
        this.size += Buffer.byteLength(text);
        for (const g of group) {
          try {
            g.onDisk();
            g.resolve();
          } catch (err) {
            g.reject(err);
          }
        }
        if (this.grown()) {
          // Not fatal: the appended file is whole; try again after the next write.
          await this.compactLive().catch(() => {
            this.compactedSize = this.size;
          });
        }
      }
    } finally {
      this.writing = false;
    }
  }

  /** Resolves once every append so far has settled. */
  settled(): Promise<void> {
    return this.chain;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.handle.close();
  }
}

function readLines<L>(file: string, parse: (value: unknown) => L): { lines: L[]; dropped: string[]; existed: boolean } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { lines: [], dropped: [], existed: false };
    throw err;
  }
  const lines: L[] = [];
  const dropped: string[] = [];
  const raw = text.split("\n");
  raw.forEach((line, i) => {
    if (line.trim() === "") return;
    const torn = i === raw.length - 1; // no newline after it: the append did not finish
    try {
      lines.push(parse(JSON.parse(line)));
    } catch (err) {
      dropped.push(`${path.basename(file)} line ${i + 1}${torn ? " (torn last line)" : ""}: ${(err as Error).message}`);
    }
  });
  return { lines, dropped, existed: true };
}

async function syncDir(dir: string): Promise<void> {
  const h = await open(dir, "r");
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}
