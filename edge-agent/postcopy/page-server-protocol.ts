// CRIU's page-server wire format (criu/page-xfer.c): every message starts with
// struct page_server_iov. CRIU 4.1 lays it out as {u32 cmd; u32 nr_pages;
// u64 vaddr; u64 dst_id} (24 bytes); 4.2 widened nr_pages to u64, which puts
// 4 bytes of padding after cmd (32 bytes). Both are little-endian here (x86-64).
import { PE_PRESENT } from "./pagemap-image.js";

export const PS_IOV_ADD = 1;
export const PS_IOV_HOLE = 2;
export const PS_IOV_OPEN = 3;
export const PS_IOV_OPEN2 = 4;
export const PS_IOV_PARENT = 5;
export const PS_IOV_ADD_F = 6;
export const PS_IOV_GET = 7;
export const PS_IOV_CLOSE = 0x1023;
export const PS_IOV_FORCE_CLOSE = 0x1024;

const PS_CMD_BITS = 16;
const PS_CMD_MASK = (1 << PS_CMD_BITS) - 1;

/** The reply to PS_IOV_GET: "pages follow, and they are present". */
export const PS_REPLY_PAGES = (PS_IOV_ADD_F | (PE_PRESENT << PS_CMD_BITS)) >>> 0;

export type Layout = "4.1" | "4.2";
export const HEADER_BYTES: Record<Layout, number> = { "4.1": 24, "4.2": 32 };

export interface PsIov {
  /** Full cmd word (command in the low 16 bits, flags above). */
  cmd: number;
  nrPages: number;
  vaddr: number;
  /** For PS_IOV_GET from the 4.1 lazy-pages daemon: the task's PID in its namespace. */
  dstId: number;
}

export const psCommand = (cmd: number): number => cmd & PS_CMD_MASK;
export const psFlags = (cmd: number): number => cmd >>> PS_CMD_BITS;

/** Picks the layout from the CRIU version string ("4.1.1" → 4.1, "4.2" and later → 4.2). */
export function layoutForVersion(version: string): Layout {
  const m = /^(\d+)\.(\d+)/.exec(version.trim());
  if (!m) throw new Error(`cannot read a CRIU version from '${version}'`);
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > 4 || (major === 4 && minor >= 2) ? "4.2" : "4.1";
}

export function encodeHeader(iov: PsIov, layout: Layout): Buffer {
  const b = Buffer.alloc(HEADER_BYTES[layout]);
  b.writeUInt32LE(iov.cmd >>> 0, 0);
  if (layout === "4.1") {
    b.writeUInt32LE(iov.nrPages, 4);
    b.writeBigUInt64LE(BigInt(iov.vaddr), 8);
    b.writeBigUInt64LE(BigInt(iov.dstId), 16);
  } else {
    b.writeBigUInt64LE(BigInt(iov.nrPages), 8);
    b.writeBigUInt64LE(BigInt(iov.vaddr), 16);
    b.writeBigUInt64LE(BigInt(iov.dstId), 24);
  }
  return b;
}

export function decodeHeader(b: Buffer, layout: Layout): PsIov {
  if (b.length < HEADER_BYTES[layout]) throw new Error(`page-server header needs ${HEADER_BYTES[layout]} bytes, got ${b.length}`);
  const num = (v: bigint, what: string): number => {
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`page-server ${what} ${v} is out of range`);
    return Number(v);
  };
  if (layout === "4.1")
    return { cmd: b.readUInt32LE(0), nrPages: b.readUInt32LE(4), vaddr: num(b.readBigUInt64LE(8), "vaddr"), dstId: num(b.readBigUInt64LE(16), "dst_id") };
  return {
    cmd: b.readUInt32LE(0),
    nrPages: num(b.readBigUInt64LE(8), "nr_pages"),
    vaddr: num(b.readBigUInt64LE(16), "vaddr"),
    dstId: num(b.readBigUInt64LE(24), "dst_id"),
  };
}

/**
 * Guesses the layout from the first 24 bytes a client sent. A 4.1 request has
 * a non-zero nr_pages in bytes 4..8 and a page-aligned vaddr in bytes 8..16; a
 * 4.2 request has padding (zero) in 4..8 and a small page count in 8..16,
 * which is never page-aligned. An all-zero CLOSE is read as 4.1: taking the
 * shorter header can never stall waiting for bytes that will not come.
 */
export function detectLayout(first: Buffer): Layout {
  if (first.length < 24) throw new Error("layout detection needs 24 bytes");
  const word1 = first.readUInt32LE(4);
  const at8 = first.readBigUInt64LE(8);
  const at16 = first.readBigUInt64LE(16);
  const aligned = (v: bigint) => v % 4096n === 0n;
  if (word1 === 0) return at8 === 0n && at16 === 0n ? "4.1" : "4.2";
  if (aligned(at8) && at8 !== 0n) return "4.1";
  return aligned(at16) ? "4.2" : "4.1";
}

/** The 4-byte status that answers PS_IOV_CLOSE (0 = success). */
export function encodeCloseStatus(status: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(status, 0);
  return b;
}

/**
 * Splits a byte stream into page-server headers. The layout is fixed up
 * front, or detected from the first message and then kept for the connection.
 * PS_IOV_GET carries no payload, so headers are all the daemon ever sends.
 */
export class HeaderReader {
  private pending: Buffer = Buffer.alloc(0);
  constructor(private layout: Layout | "auto") {}

  get detected(): Layout | null {
    return this.layout === "auto" ? null : this.layout;
  }

  push(chunk: Buffer): PsIov[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: PsIov[] = [];
    for (;;) {
      if (this.layout === "auto") {
        if (this.pending.length < 24) break;
        this.layout = detectLayout(this.pending);
      }
      const size = HEADER_BYTES[this.layout];
      if (this.pending.length < size) break;
      out.push(decodeHeader(this.pending.subarray(0, size), this.layout));
      this.pending = this.pending.subarray(size);
    }
    return out;
  }
}
