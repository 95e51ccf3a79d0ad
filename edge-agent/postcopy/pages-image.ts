// Index of where each pagemap entry's bytes sit in pages-N.img: CRIU stores the
// pages of PE_PRESENT entries back to back, in pagemap order, with no header.
import { isLazy, isPresent, PAGE_SIZE, type PagemapEntry } from "./pagemap-image.js";

export interface IndexedRun {
  vaddr: number;
  nrPages: number;
  lazy: boolean;
  /** Byte offset into pages-N.img, or null when the entry has no bytes there (parent/hole). */
  offset: number | null;
}

export interface PagesIndex {
  /** Sorted by vaddr. */
  runs: IndexedRun[];
  /** Total bytes pages-N.img must hold. */
  totalBytes: number;
}

export function indexPages(entries: PagemapEntry[]): PagesIndex {
  let offset = 0;
  const runs: IndexedRun[] = [];
  for (const e of entries) {
    const present = isPresent(e);
    runs.push({ vaddr: e.vaddr, nrPages: e.nrPages, lazy: isLazy(e), offset: present ? offset : null });
    if (present) offset += e.nrPages * PAGE_SIZE;
  }
  runs.sort((a, b) => a.vaddr - b.vaddr);
  return { runs: joinContiguous(runs), totalBytes: offset };
}

/** Joins runs that continue each other in memory and in the file, so one read can span them. */
function joinContiguous(runs: IndexedRun[]): IndexedRun[] {
  const out: IndexedRun[] = [];
  for (const r of runs) {
    const last = out[out.length - 1];
    const follows =
      last &&
      last.lazy === r.lazy &&
      last.vaddr + last.nrPages * PAGE_SIZE === r.vaddr &&
      (last.offset === null ? r.offset === null : r.offset === last.offset + last.nrPages * PAGE_SIZE);
    if (follows) last.nrPages += r.nrPages;
    else out.push({ ...r });
  }
  return out;
}
/** The run holding `vaddr`, or undefined (binary search). */
export function findRun(index: PagesIndex, vaddr: number): IndexedRun | undefined {
  let lo = 0;
  let hi = index.runs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = index.runs[mid]!;
    if (vaddr < r.vaddr) hi = mid - 1;
    else if (vaddr >= r.vaddr + r.nrPages * PAGE_SIZE) lo = mid + 1;
    else return r;
  }
  return undefined;
}

export interface PageSlice {
  /** Byte offset into pages-N.img. */
  offset: number;
  /** Pages available contiguously from vaddr within its run (at most the number asked). */
  nrPages: number;
}

/**
 * Where the pages starting at `vaddr` live in pages-N.img; the slice stops at
 * the end of the run, so it may hold fewer pages than asked (the page-server
 * protocol allows a short reply; the reader asks again for the rest).
 */
export function locatePages(index: PagesIndex, vaddr: number, nrPages: number): PageSlice | undefined {
  if (vaddr % PAGE_SIZE !== 0 || nrPages < 1) return undefined;
  const run = findRun(index, vaddr);
  if (!run || run.offset === null) return undefined;
  const pageInRun = (vaddr - run.vaddr) / PAGE_SIZE;
  return { offset: run.offset + pageInRun * PAGE_SIZE, nrPages: Math.min(nrPages, run.nrPages - pageInRun) };
}
