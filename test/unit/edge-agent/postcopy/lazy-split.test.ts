import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { applyCopy, mergeAdjacentLazy, planLazySplit } from "../../../../edge-agent/postcopy/lazy-split.js";
import {
  decodePagemap,
  effectiveFlags,
  isLazy,
  PAGE_SIZE,
  PE_LAZY,
  PE_PARENT,
  PE_PRESENT,
  type PagemapImage,
} from "../../../../edge-agent/postcopy/pagemap-image.js";
import { findRun, indexPages, locatePages } from "../../../../edge-agent/postcopy/pages-image.js";

const full = decodePagemap(readFileSync(new URL("./fixtures/full-dump-pagemap-1.img", import.meta.url)));

/** A pages file whose every page starts with its global page number. */
function markedPages(totalPages: number): Uint8Array {
  const buf = Buffer.alloc(totalPages * PAGE_SIZE);
  for (let i = 0; i < totalPages; i++) buf.writeUInt32LE(i, i * PAGE_SIZE);
  return buf;
}

const small: PagemapImage = {
  magic: new Uint8Array(8),
  pagesId: 3,
  entries: [
    { vaddr: 0x1000, nrPages: 2, flags: PE_PRESENT },
    { vaddr: 0x10000, nrPages: 4, flags: PE_LAZY | PE_PRESENT },
    { vaddr: 0x20000, nrPages: 1, flags: PE_PARENT },
    { vaddr: 0x30000, nrPages: 3, flags: PE_PRESENT },
  ],
};

describe("pages index", () => {
  it("places present entries back to back and skips parent entries", () => {
    const idx = indexPages(small.entries);
    expect(idx.runs.map((r) => r.offset)).toEqual([0, 2 * PAGE_SIZE, null, 6 * PAGE_SIZE]);
    expect(idx.totalBytes).toBe(9 * PAGE_SIZE);
  });

  it("locates pages and cuts a request at the end of its run", () => {
    const idx = indexPages(small.entries);
    expect(locatePages(idx, 0x12000, 10)).toEqual({ offset: 4 * PAGE_SIZE, nrPages: 2 });
    expect(locatePages(idx, 0x20000, 1)).toBeUndefined();
    expect(locatePages(idx, 0x5000, 1)).toBeUndefined();
    expect(locatePages(idx, 0x10001, 1)).toBeUndefined();
    expect(findRun(idx, 0x13fff)?.vaddr).toBe(0x10000);
  });

  it("joins runs contiguous in memory and in the file, so one read spans them", () => {
    const idx = indexPages([
      { vaddr: 0x10000, nrPages: 2, flags: PE_LAZY | PE_PRESENT },
      { vaddr: 0x12000, nrPages: 2, flags: PE_LAZY | PE_PRESENT },
      { vaddr: 0x14000, nrPages: 1, flags: PE_PRESENT },
    ]);
    expect(idx.runs.map((r) => [r.vaddr, r.nrPages, r.offset])).toEqual([
      [0x10000, 4, 0],
      [0x14000, 1, 4 * PAGE_SIZE],
    ]);
    expect(locatePages(idx, 0x11000, 8)).toEqual({ offset: PAGE_SIZE, nrPages: 3 });
  });

  it("indexes a real dump to the size of its pages image", () => {
    // The dump this pagemap came from wrote a 36,405,248-byte pages-1.img.
    expect(indexPages(full.entries).totalBytes).toBe(36_405_248);
  });
});

describe("lazy split", () => {
  it("keeps only eager pages, in order, and marks lazy entries PE_LAZY alone", () => {
    const split = planLazySplit(small);
    expect(split.reduced.entries.map(effectiveFlags)).toEqual([PE_PRESENT, PE_LAZY, PE_PARENT, PE_PRESENT]);
    expect(split.lazyPages).toBe(4);
    expect(split.eagerPages).toBe(5);
    const reducedPages = applyCopy(markedPages(9), split.copy);
    const firstWords = Array.from({ length: reducedPages.length / PAGE_SIZE }, (_, i) =>
      Buffer.from(reducedPages).readUInt32LE(i * PAGE_SIZE),
    );
    expect(firstWords).toEqual([0, 1, 6, 7, 8]);
    // The reduced pagemap indexes the reduced pages file exactly.
    expect(indexPages(split.reduced.entries).totalBytes).toBe(reducedPages.length);
  });

  it("on a real dump, sends the destination a small fraction of the pages", () => {
    const split = planLazySplit(full);
    const lazy = full.entries.filter(isLazy).reduce((n, e) => n + e.nrPages, 0);
    expect(split.lazyPages).toBe(lazy);
    expect(split.eagerPages + split.lazyPages).toBe(indexPages(full.entries).totalBytes / PAGE_SIZE);
    expect(split.eagerPages).toBeLessThan(split.lazyPages / 10);
    expect(split.copy.reduce((n, r) => n + r.length, 0)).toBe(split.eagerPages * PAGE_SIZE);
    expect(split.reduced.entries.filter(isLazy).every((e) => effectiveFlags(e) === PE_LAZY)).toBe(true);
  });

  it("merges back-to-back lazy entries, and nothing else", () => {
    const merged = mergeAdjacentLazy([
      { vaddr: 0x10000, nrPages: 2, flags: PE_LAZY },
      { vaddr: 0x12000, nrPages: 3, flags: PE_LAZY },
      { vaddr: 0x16000, nrPages: 1, flags: PE_LAZY }, // gap before it
      { vaddr: 0x17000, nrPages: 1, flags: PE_PRESENT },
      { vaddr: 0x18000, nrPages: 1, flags: PE_PRESENT }, // eager: its bytes sit in pages-N.img, left alone
    ]);
    expect(merged).toEqual([
      { vaddr: 0x10000, nrPages: 5, flags: PE_LAZY },
      { vaddr: 0x16000, nrPages: 1, flags: PE_LAZY },
      { vaddr: 0x17000, nrPages: 1, flags: PE_PRESENT },
      { vaddr: 0x18000, nrPages: 1, flags: PE_PRESENT },
    ]);
  });

  it("refuses to copy from a pages file that is too short", () => {
    expect(() => applyCopy(markedPages(3), planLazySplit(small).copy)).toThrow(/too short/);
  });
});
