// Planner for the destination's reduced images: lazy pagemap entries lose
// PE_PRESENT (so `criu restore --lazy-pages` leaves them to the lazy-pages
// daemon) and pages-N.img keeps only the bytes of the entries that stay eager.
import {
  effectiveFlags,
  isLazy,
  isPresent,
  PAGE_SIZE,
  PE_LAZY,
  PE_PRESENT,
  type PagemapEntry,
  type PagemapImage,
} from "./pagemap-image.js";

/** A byte range to copy from the full pages-N.img into the reduced one, in order. */
export interface CopyRange {
  from: number;
  length: number;
}

export interface LazySplit {
  /** The pagemap the destination restores from. */
  reduced: PagemapImage;
  /** Ranges of the full pages file that make up the reduced one, concatenated in order. */
  copy: CopyRange[];
  lazyPages: number;
  eagerPages: number;
}

export function planLazySplit(full: PagemapImage): LazySplit {
  const copy: CopyRange[] = [];
  const entries: PagemapEntry[] = [];
  let offset = 0;
  let lazyPages = 0;
  let eagerPages = 0;
  for (const e of full.entries) {
    const bytes = e.nrPages * PAGE_SIZE;
    const present = isPresent(e);
    if (present && isLazy(e)) {
      // Served later by the page server: drop the bytes, keep the map.
      entries.push({ ...e, flags: (effectiveFlags(e) & ~PE_PRESENT) | PE_LAZY });
      lazyPages += e.nrPages;
    } else {
      entries.push({ ...e });
      if (present) {
        appendRange(copy, offset, bytes);
        eagerPages += e.nrPages;
      }
    }
    if (present) offset += bytes;
  }
  return { reduced: { ...full, entries: mergeAdjacentLazy(entries) }, copy, lazyPages, eagerPages };
}

/**
 * Joins back-to-back entries that are lazy and have no bytes in pages-N.img.
 * The lazy-pages daemon makes one transfer range per entry (criu/uffd.c
 * collect_iovs) and never asks across ranges, while CRIU's lazy dump cuts a
 * large area into entries of a few hundred KiB: merged, its background fetch
 * can grow to 4 MiB per request instead of stopping at every cut.
 */
export function mergeAdjacentLazy(entries: PagemapEntry[]): PagemapEntry[] {
  const out: PagemapEntry[] = [];
  for (const e of entries) {
    const last = out[out.length - 1];
    if (last && effectiveFlags(last) === PE_LAZY && effectiveFlags(e) === PE_LAZY && last.vaddr + last.nrPages * PAGE_SIZE === e.vaddr) {
      out[out.length - 1] = { ...last, nrPages: last.nrPages + e.nrPages };
    } else {
      out.push({ ...e });
    }
  }
  return out;
}

function appendRange(copy: CopyRange[], from: number, length: number): void {
  const last = copy[copy.length - 1];
  if (last && last.from + last.length === from) last.length += length;
  else copy.push({ from, length });
}

/** Applies a plan to an in-memory pages file (used by tests; the I/O shell streams instead). */
export function applyCopy(fullPages: Uint8Array, copy: CopyRange[]): Uint8Array {
  const out = new Uint8Array(copy.reduce((n, r) => n + r.length, 0));
  let off = 0;
  for (const r of copy) {
    if (r.from + r.length > fullPages.length) throw new Error(`pages file too short for range ${r.from}+${r.length}`);
    out.set(fullPages.subarray(r.from, r.from + r.length), off);
    off += r.length;
  }
  return out;
}
