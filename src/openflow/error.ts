// ERROR messages, and building the ERROR reply for a message we could not decode.
import { OFPBRC, OFPET } from "./constants.js";
import { OfDecodeError } from "./decode-error.js";
import type { ErrorMessage } from "./messages.js";
import type { Reader, Writer } from "./wire.js";

export function encodeErrorBody(w: Writer, m: ErrorMessage): void {
  w.u16(m.errType);
  w.u16(m.code);
  if (m.errType === OFPET.EXPERIMENTER) w.u32(m.experimenter ?? 0);
  w.bytes(m.data);
}

export function decodeErrorBody(r: Reader, xid: number): ErrorMessage {
  const errType = r.u16();
  const code = r.u16();
  const m: ErrorMessage = { type: "error", xid, errType, code, data: Buffer.alloc(0) };
  if (errType === OFPET.EXPERIMENTER) m.experimenter = r.u32();
  m.data = r.bytes(r.remaining);
  return m;
}

/**
 * The ERROR to send back for `err` (an OfDecodeError; anything else becomes BAD_REQUEST/EPERM),
 * echoing the xid and the first 64 bytes of the offending message as the spec asks.
 */
export function errorFor(err: unknown, offendingBytes?: Buffer): ErrorMessage {
  const bytes = offendingBytes ?? (err instanceof OfDecodeError ? err.offending : undefined) ?? Buffer.alloc(0);
  const xid = bytes.length >= 8 ? bytes.readUInt32BE(4) : 0;
  const data = Buffer.from(bytes.subarray(0, 64));
  if (err instanceof OfDecodeError) return { type: "error", xid, errType: err.errType, code: err.code, data };
  return { type: "error", xid, errType: OFPET.BAD_REQUEST, code: OFPBRC.EPERM, data };
}

