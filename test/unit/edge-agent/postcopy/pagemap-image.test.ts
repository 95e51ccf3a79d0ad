import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodePagemap,
  effectiveFlags,
  encodePagemap,
  isLazy,
  PE_LAZY,
  PE_PARENT,
  PE_PRESENT,
} from "../../../../edge-agent/postcopy/pagemap-image.js";
import { encodeVarint, readVarint } from "../../../../edge-agent/postcopy/varint.js";

const fixture = readFileSync(new URL("./fixtures/full-dump-pagemap-1.img", import.meta.url));

describe("varint", () => {
  it("round-trips any u64", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (v) => {
        const bytes = Uint8Array.from(encodeVarint(v));
        const { value, next } = readVarint(bytes, 0);
        expect(value).toBe(v);
        expect(next).toBe(bytes.length);
      }),
    );
  });

  it("rejects a varint cut short", () => {
    expect(() => readVarint(Uint8Array.from([0x80, 0x80]), 0)).toThrow(/past the end/);
  });
});

describe("pagemap image of a real CRIU dump", () => {
  const img = decodePagemap(fixture);

  it("decodes the head and every entry", () => {
    expect(img.pagesId).toBe(1);
    expect(img.entries.length).toBe(94);
    const lazyPages = img.entries.filter(isLazy).reduce((n, e) => n + e.nrPages, 0);
    // The 32 MiB buffer alone is 8192 pages; all of it must be lazy.
    expect(lazyPages).toBeGreaterThanOrEqual(8192);
    expect(new Set(img.entries.map(effectiveFlags))).toEqual(new Set([PE_PRESENT, PE_LAZY | PE_PRESENT]));
    const sorted = img.entries.map((e) => e.vaddr);
    expect(sorted).toEqual([...sorted].sort((a, b) => a - b));
  });

  it("re-encodes byte for byte", () => {
    expect(Buffer.from(encodePagemap(img)).equals(fixture)).toBe(true);
  });

  it("refuses other images and truncated records", () => {
    const bad = Buffer.from(fixture);
    bad.writeUInt32LE(0x55105940, 0);
    expect(() => decodePagemap(bad)).toThrow(/not a pagemap image/);
    expect(() => decodePagemap(fixture.subarray(0, fixture.length - 3))).toThrow(/runs past the end/);
  });
});

describe("pagemap entries", () => {
  it("round-trips generated entries, the 4.2 wide nr_pages and in_parent included", () => {
    const entry = fc.record({
      vaddr: fc.integer({ min: 0, max: 2 ** 47 / 4096 }).map((p) => p * 4096),
      nrPages: fc.integer({ min: 1, max: 2 ** 31 }),
      flags: fc.option(fc.integer({ min: 0, max: 7 }), { nil: undefined }),
      inParent: fc.option(fc.boolean(), { nil: undefined }),
      hasWideNrPages: fc.option(fc.constant(true), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.array(entry, { maxLength: 20 }), (pagesId, entries) => {
        const clean = entries.map((e) => Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)));
        const img = { magic: fixture.subarray(0, 8), pagesId, entries: clean as never };
        const back = decodePagemap(encodePagemap(img));
        expect(back.pagesId).toBe(pagesId);
        expect(back.entries).toEqual(clean);
      }),
    );
  });

  it("reads old images the way CRIU does: no flags means present, in_parent means parent", () => {
    expect(effectiveFlags({ vaddr: 0, nrPages: 1 })).toBe(PE_PRESENT);
    expect(effectiveFlags({ vaddr: 0, nrPages: 1, inParent: true })).toBe(PE_PARENT);
  });
});
