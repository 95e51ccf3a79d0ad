// Where the page server reads the pages it sends. Two sources, one per dump mode:
// - a full dump's pages-N.img (every page was written to the source's disk);
// - the frozen source tasks themselves, through /proc/PID/mem, after CRIU's
//   own lazy dump (`criu dump --lazy-pages`), which writes no lazy page at all
//   and keeps the tasks frozen until its page server is told to close.
import { readSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import type { TaskPagemap } from "./dump-images.js";
import { isLazy, PAGE_SIZE, PE_PRESENT } from "./pagemap-image.js";
import { indexPages, locatePages, type PagesIndex } from "./pages-image.js";
import type { LazyRun } from "./page-tracker.js";

export interface PageSource {
  /** Lazy runs per task (the PID inside the dump's namespace, as the daemon names it). */
  lazyRuns: Map<number, LazyRun[]>;
  /** How many of the asked pages can be read contiguously from `vaddr`; 0 when none. */
  available(pid: number, vaddr: number, nrPages: number): number;
  /** Reads exactly nrPages pages (as returned by available) into a fresh buffer. */
  read(pid: number, vaddr: number, nrPages: number): Promise<Buffer>;
  close(): Promise<void>;
}

/** The task's lazy ranges, contiguous ones joined (as the daemon sees them once merged). */
function lazyRunsOf(t: TaskPagemap): LazyRun[] {
  const runs: LazyRun[] = [];
  for (const e of t.pagemap.entries.filter(isLazy).sort((a, b) => a.vaddr - b.vaddr)) {
    const last = runs[runs.length - 1];
    if (last && last.vaddr + last.nrPages * PAGE_SIZE === e.vaddr) last.nrPages += e.nrPages;
    else runs.push({ vaddr: e.vaddr, nrPages: e.nrPages });
  }
  return runs;
}

/** Pages from a full dump's pages-N.img files. */
export async function openDumpFileSource(tasks: TaskPagemap[]): Promise<PageSource> {
  const files = new Map<number, { index: PagesIndex; fh: FileHandle }>();
  for (const t of tasks) files.set(t.pid, { index: indexPages(t.pagemap.entries), fh: await open(t.pagesFile, "r") });
  return {
    lazyRuns: new Map(tasks.map((t) => [t.pid, lazyRunsOf(t)])),
    available(pid, vaddr, nrPages) {
      const f = files.get(pid);
      return (f && locatePages(f.index, vaddr, nrPages)?.nrPages) || 0;
    },
    async read(pid, vaddr, nrPages) {
      const f = files.get(pid);
      const slice = f && locatePages(f.index, vaddr, nrPages);
      if (!f || !slice || slice.nrPages < nrPages) throw new Error(`no dumped pages for pid ${pid} at 0x${vaddr.toString(16)}`);
      return readExactly(f.fh, nrPages * PAGE_SIZE, slice.offset, `pages image of pid ${pid}`);
    },
    async close() {
      for (const f of files.values()) await f.fh.close().catch(() => {});
      files.clear();
    },
  };
}

/**
 * Pages straight from the frozen source tasks. `hostPids` maps each task's
 * PID in the dump's namespace to its PID here. Only lazy runs are served:
 * anything else went to the destination in the images.
 */
export async function openFrozenTaskSource(tasks: TaskPagemap[], hostPids: Map<number, number>): Promise<PageSource> {
  const mems = new Map<number, { index: PagesIndex; fh: FileHandle }>();
  for (const t of tasks) {
    const host = hostPids.get(t.pid);
    if (host === undefined) throw new Error(`task ${t.pid} of the dump has no process here`);
    const lazyOnly = t.pagemap.entries.filter(isLazy).map((e) => ({ ...e, flags: PE_PRESENT })); // bounds only
    mems.set(t.pid, { index: indexPages(lazyOnly), fh: await open(`/proc/${host}/mem`, "r") });
  }
  return {
    lazyRuns: new Map(tasks.map((t) => [t.pid, lazyRunsOf(t)])),
    available(pid, vaddr, nrPages) {
      const m = mems.get(pid);
      return (m && locatePages(m.index, vaddr, nrPages)?.nrPages) || 0;
    },
    async read(pid, vaddr, nrPages) {
      const m = mems.get(pid);
      if (!m || (locatePages(m.index, vaddr, nrPages)?.nrPages ?? 0) < nrPages)
        throw new Error(`pid ${pid} has no lazy pages at 0x${vaddr.toString(16)}`);
      return readExactly(m.fh, nrPages * PAGE_SIZE, vaddr, `memory of pid ${pid}`);
    },
    async close() {
      for (const m of mems.values()) await m.fh.close().catch(() => {});
      mems.clear();
    },
  };
}

/** Reads this small (a fault's pages) are done in place: a thread-pool round trip costs more than the read. */
const SYNC_READ_MAX = 64 * 1024;

async function readExactly(fh: FileHandle, length: number, position: number, what: string): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  if (length <= SYNC_READ_MAX) {
    while (done < length) {
      const n = readSync(fh.fd, buf, done, length - done, position + done);
      if (n === 0) throw new Error(`${what} is short at offset ${position + done}`);
      done += n;
    }
    return buf;
  }
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) throw new Error(`${what} is short at offset ${position + done}`);
    done += bytesRead;
  }
  return buf;
}
