// Bounds-checked cursor reading and a growable writer over Buffers.
// Every out-of-bounds read becomes an OfDecodeError with the error type/code the caller chose.
import { OFPBRC, OFPET } from "./constants.js";
import { OfDecodeError } from "./decode-error.js";

export interface LenError {
  errType: number;
  code: number;
}

export const BAD_REQUEST_LEN: LenError = { errType: OFPET.BAD_REQUEST, code: OFPBRC.BAD_LEN };

export class Reader {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end: number,
    readonly lenError: LenError = BAD_REQUEST_LEN,
  ) {}

  get remaining(): number {
    return this.end - this.pos;
  }

  need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.end) {
      throw new OfDecodeError(this.lenError.errType, this.lenError.code, `truncated ${what}: need ${n} bytes, have ${this.end - this.pos}`);
    }
  }

  u8(): number {
    this.need(1, "u8");
    return this.buf[this.pos++]!;
  }
  // Plain byte loads after our own bounds check: Buffer's read*BE would check again.
  u16(): number {
    this.need(2, "u16");
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return (b[p]! << 8) | b[p + 1]!;
  }
  u32(): number {
    this.need(4, "u32");
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }
  u64(): bigint {
    this.need(8, "u64");
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  skip(n: number): void {
    this.need(n, "padding");
    this.pos += n;
  }
  /** A copy, so decoded messages never alias the framer's stream buffer. */
  bytes(n: number): Buffer {
    this.need(n, "bytes");
    const out = Buffer.from(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }
  /** A NUL-padded fixed-width string field. */
  str(n: number): string {
    this.need(n, "string");
    const raw = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    const nul = raw.indexOf(0);
    return raw.subarray(0, nul < 0 ? n : nul).toString("latin1");
  }
  /** A sub-reader over the next n bytes, advancing this one past them. */
  sub(n: number, lenError: LenError = this.lenError, what = "element"): Reader {
    if (n < 0 || this.pos + n > this.end) {
      throw new OfDecodeError(lenError.errType, lenError.code, `truncated ${what}: length ${n}, have ${this.end - this.pos}`);
    }
    const r = new Reader(this.buf, this.pos, this.pos + n, lenError);
    this.pos += n;
    return r;
  }
}

/** Writer.u64's one-entry cache: the last value and its halves. */
let lastU64 = 0n;
let lastHi = 0;
let lastLo = 0;

export class Writer {
  buf: Buffer;
  pos = 0;

  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
  }
  // Plain byte stores: Buffer's write*BE checks its arguments on every call, and FLOW_MOD encoding is hot.
  u16(v: number): void {
    this.ensure(2);
    const b = this.buf;
    const p = this.pos;
    b[p] = (v >>> 8) & 0xff;
    b[p + 1] = v & 0xff;
    this.pos = p + 2;
  }
  u32(v: number): void {
    this.ensure(4);
    const b = this.buf;
    const p = this.pos;
    b[p] = (v >>> 24) & 0xff;
    b[p + 1] = (v >>> 16) & 0xff;
    b[p + 2] = (v >>> 8) & 0xff;
    b[p + 3] = v & 0xff;
    this.pos = p + 4;
  }
  u64(v: bigint): void {
    // BigInt arithmetic costs more than the rest of a FLOW_MOD header: zero (most masks) and the last
    // other value written (a batch's cookie) skip it.
    if (v === 0n) {
      this.u32(0);
      this.u32(0);
      return;
    }
    if (v === lastU64) {
      this.u32(lastHi);
      this.u32(lastLo);
      return;
    }
    const u = BigInt.asUintN(64, v);
    lastHi = Number(u >> 32n);
    lastLo = Number(u & 0xffffffffn);
    lastU64 = v;
    this.u32(lastHi);
    this.u32(lastLo);
  }
  zeros(n: number): void {
    this.ensure(n);
    const b = this.buf;
    const end = this.pos + n;
    if (n > 32) b.fill(0, this.pos, end);
    else for (let p = this.pos; p < end; p++) b[p] = 0;
    this.pos = end;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  /** A fixed-width field, NUL padded (and truncated to leave room for the NUL). */
  str(s: string, n: number): void {
    this.ensure(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.buf.write(s.slice(0, n - 1), this.pos, n - 1, "latin1");
    this.pos += n;
  }
  /** Reserves a u16 to patch later (for lengths known only after the body). */
  placeholder16(): number {
    const at = this.pos;
    this.u16(0);
    return at;
  }
  patch16(at: number, v: number): void {
    this.buf.writeUInt16BE(v & 0xffff, at);
  }
  /** Zero padding up to a multiple of `align`, counted from `from`. */
  padTo(from: number, align: number): void {
    const rem = (this.pos - from) % align;
    if (rem) this.zeros(align - rem);
  }
  result(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
