// Codec for CRIU's pagemap-N.img: 8 magic bytes, then u32-LE-length-prefixed
// protobuf records: one PagemapHead {pages_id}, then PagemapEntry records
// {vaddr=1 u64, compat_nr_pages=2 u32, in_parent=3 bool, flags=4 u32, nr_pages=5 u64 (4.2+)}.
import { encodeVarint, readVarint, toSafeNumber, WIRE_VARINT } from "./varint.js";

export const PAGE_SIZE = 4096;
export const IMG_COMMON_MAGIC = 0x54564319;
export const PAGEMAP_MAGIC = 0x56084025;

/** Pagemap flags (criu/include/pagemap.h). */
export const PE_PARENT = 1 << 0;
export const PE_LAZY = 1 << 1;
export const PE_PRESENT = 1 << 2;

export interface PagemapEntry {
  vaddr: number;
  nrPages: number;
  inParent?: boolean;
  /** Absent in images from CRIUs before flags existed; see effectiveFlags. */
  flags?: number;
  /** True when the image carried the 4.2 u64 nr_pages field (5) too; kept for a faithful rewrite. */
  hasWideNrPages?: boolean;
}

export interface PagemapImage {
  /** The 8 leading magic bytes, kept verbatim. */
  magic: Uint8Array;
  pagesId: number;
  entries: PagemapEntry[];
}

/** Flags as CRIU interprets them (init_compat_pagemap_entry). */
export function effectiveFlags(e: PagemapEntry): number {
  if (e.inParent) return (e.flags ?? 0) | PE_PARENT;
  return e.flags ?? PE_PRESENT;
}

export const isLazy = (e: PagemapEntry): boolean => (effectiveFlags(e) & PE_LAZY) !== 0;
export const isPresent = (e: PagemapEntry): boolean => (effectiveFlags(e) & PE_PRESENT) !== 0;

export function decodePagemap(buf: Uint8Array): PagemapImage {
  if (buf.length < 8) throw new Error("pagemap image shorter than its 8-byte magic");
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const second = view.getUint32(4, true);
  if (view.getUint32(0, true) !== IMG_COMMON_MAGIC || second !== PAGEMAP_MAGIC)
    throw new Error(`not a pagemap image (magic ${view.getUint32(0, true).toString(16)}/${second.toString(16)})`);
  const records = splitRecords(buf, 8);
  const [head, ...rest] = records;
  if (!head) throw new Error("pagemap image has no PagemapHead record");
  const pagesId = decodeHead(head);
  return { magic: buf.slice(0, 8), pagesId, entries: rest.map(decodeEntry) };
}

export function encodePagemap(img: PagemapImage): Uint8Array {
  const records = [encodeHead(img.pagesId), ...img.entries.map(encodeEntry)];
  const total = 8 + records.reduce((n, r) => n + 4 + r.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(img.magic, 0);
  let off = 8;
  for (const r of records) {
    view.setUint32(off, r.length, true);
    out.set(r, off + 4);
    off += 4 + r.length;
  }
  return out;
}

function splitRecords(buf: Uint8Array, start: number): Uint8Array[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Uint8Array[] = [];
  let off = start;
  while (off < buf.length) {
    if (off + 4 > buf.length) throw new Error(`truncated record length at ${off}`);
    const len = view.getUint32(off, true);
    if (off + 4 + len > buf.length) throw new Error(`record at ${off} (${len} bytes) runs past the end`);
    out.push(buf.subarray(off + 4, off + 4 + len));
    off += 4 + len;
  }
  return out;
}

/** Walks the varint fields of a message; other wire types are rejected (CRIU writes none here). */
function fields(msg: Uint8Array): Array<[number, bigint]> {
  const out: Array<[number, bigint]> = [];
  let off = 0;
  while (off < msg.length) {
    const key = readVarint(msg, off);
    const field = Number(key.value >> 3n);
    const wire = Number(key.value & 7n);
    if (wire !== WIRE_VARINT) throw new Error(`unexpected wire type ${wire} for field ${field}`);
    const val = readVarint(msg, key.next);
    out.push([field, val.value]);
    off = val.next;
  }
  return out;
}

function decodeHead(msg: Uint8Array): number {
  const f = fields(msg).find(([n]) => n === 1);
  if (!f) throw new Error("PagemapHead lacks pages_id");
  return toSafeNumber(f[1], "pages_id");
}

function decodeEntry(msg: Uint8Array): PagemapEntry {
  let vaddr: number | undefined;
  let compat: number | undefined;
  let wide: number | undefined;
  const e: Partial<PagemapEntry> = {};
  for (const [n, v] of fields(msg)) {
    if (n === 1) vaddr = toSafeNumber(v, "vaddr");
    else if (n === 2) compat = toSafeNumber(v, "compat_nr_pages");
    else if (n === 3) e.inParent = v !== 0n;
    else if (n === 4) e.flags = Number(v);
    else if (n === 5) wide = toSafeNumber(v, "nr_pages");
  }
  if (vaddr === undefined || compat === undefined) throw new Error("PagemapEntry lacks vaddr or nr_pages");
  const entry: PagemapEntry = { vaddr, nrPages: wide ?? compat };
  if (e.inParent !== undefined) entry.inParent = e.inParent;
  if (e.flags !== undefined) entry.flags = e.flags;
  if (wide !== undefined) entry.hasWideNrPages = true;
  return entry;
}

const key = (field: number, wire = WIRE_VARINT): number[] => encodeVarint((field << 3) | wire);

function encodeHead(pagesId: number): Uint8Array {
  return Uint8Array.from([...key(1), ...encodeVarint(pagesId)]);
}

function encodeEntry(e: PagemapEntry): Uint8Array {
  const bytes = [...key(1), ...encodeVarint(e.vaddr), ...key(2), ...encodeVarint(e.nrPages >>> 0)];
  if (e.inParent !== undefined) bytes.push(...key(3), e.inParent ? 1 : 0);
  if (e.flags !== undefined) bytes.push(...key(4), ...encodeVarint(e.flags));
  if (e.hasWideNrPages) bytes.push(...key(5), ...encodeVarint(e.nrPages));
  return Uint8Array.from(bytes);
}
