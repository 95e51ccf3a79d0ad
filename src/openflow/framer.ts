// Splits a TCP byte stream into whole OpenFlow messages by their header length.
import { OFP_HEADER_LEN, OFPBRC, OFPET } from "./constants.js";
import { OfDecodeError } from "./decode-error.js";

export class MessageFramer {
  private pending: Buffer = Buffer.alloc(0);
  private broken: OfDecodeError | undefined;

  /** Bytes held while waiting for the rest of a message. */
  get buffered(): number {
    return this.pending.length;
  }

  /**
   * Feeds a chunk; returns the whole messages it completes, in order (each a Buffer of exactly one message).
   * A header length below 8 (the u16 field cannot exceed 65535) throws a fatal OfDecodeError: the stream cannot
   * be resynchronised, so send the ERROR and close. Every later push throws the same error.
   */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    this.pushInto(chunk, out);
    return out;
  }

  /** Like push, but appends to `out`, so the whole messages before a framing error are not lost. */
  pushInto(chunk: Buffer, out: Buffer[]): void {
    if (this.broken) throw this.broken;
    const buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let at = 0;
    while (buf.length - at >= OFP_HEADER_LEN) {
      const len = buf.readUInt16BE(at + 2);
      if (len < OFP_HEADER_LEN) {
        this.pending = Buffer.alloc(0);
        this.broken = new OfDecodeError(
          OFPET.BAD_REQUEST,
          OFPBRC.BAD_LEN,
          `message length ${len} is shorter than the header`,
          true,
          Buffer.from(buf.subarray(at, at + OFP_HEADER_LEN)),
        );
        throw this.broken;
      }
      if (buf.length - at < len) break;
      out.push(buf.subarray(at, at + len));
      at += len;
    }
    // Copy the tail so a small remainder never pins a large socket chunk.
    this.pending = at === buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(at));
  }
}
