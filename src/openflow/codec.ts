// Whole messages: the 8-byte header (version, type, length, xid); bodies go through
// the message table (message-table.ts), where each type is declared once.
// Unknown or unsupported message types decode to an OfDecodeError BAD_REQUEST/BAD_TYPE (documented choice).
import { OFP_HEADER_LEN, OFP_MAX_MESSAGE_LEN, OFP_VERSION, OFPBRC, OFPET, OFPT } from "./constants.js";
import { OfDecodeError } from "./decode-error.js";
import { DECODERS_BY_CODE, MESSAGES, type MessageOf } from "./message-table.js";
import type { OfMessage, OfMessageType } from "./messages.js";
import { Reader, Writer } from "./wire.js";

/** `type` is passed apart from `m` so the table lookup and the message agree on one type. */
function encodeBody<K extends OfMessageType>(w: Writer, type: K, m: MessageOf<K>): void {
  MESSAGES[type].encode(w, m);
}

/** Appends one message to `w`. Throws RangeError/TypeError on values that cannot be encoded. */
export function writeMessage(w: Writer, m: OfMessage): void {
  const start = w.pos;
  w.u8(m.type === "hello" ? (m.version ?? OFP_VERSION) : OFP_VERSION);
  w.u8(MESSAGES[m.type].code);
  w.u16(0);
  w.u32(m.xid);
  encodeBody(w, m.type, m);
  const len = w.pos - start;
  if (len > OFP_MAX_MESSAGE_LEN) throw new RangeError(`${m.type} message of ${len} bytes exceeds 65535`);
  w.patch16(start + 2, len);
}

export function encodeMessage(m: OfMessage): Buffer {
  const w = new Writer(128);
  writeMessage(w, m);
  return w.result();
}

/** Several messages in one buffer: one socket write for a pipelined batch. */
export function encodeMessages(ms: readonly OfMessage[]): Buffer {
  const w = new Writer(ms.length * 96 + 64);
  for (const m of ms) writeMessage(w, m);
  return w.result();
}

function decodeBody(r: Reader, type: number, xid: number, version: number): OfMessage {
  const decode = DECODERS_BY_CODE.get(type);
  if (decode) return decode(r, xid, version);
  throw new OfDecodeError(OFPET.BAD_REQUEST, OFPBRC.BAD_TYPE, `unsupported message type ${type}`);
}

/**
 * Decodes exactly one whole message (as the framer yields them).
 * Throws OfDecodeError carrying the OpenFlow error type/code to answer with; nothing else.
 */
export function decodeMessage(buf: Buffer): OfMessage {
  if (buf.length < OFP_HEADER_LEN) {
    throw new OfDecodeError(OFPET.BAD_REQUEST, OFPBRC.BAD_LEN, `message of ${buf.length} bytes is shorter than a header`, true);
  }
  const version = buf[0]!;
  const type = buf[1]!;
  const length = buf.readUInt16BE(2);
  const xid = buf.readUInt32BE(4);
  if (length !== buf.length) {
    throw new OfDecodeError(OFPET.BAD_REQUEST, OFPBRC.BAD_LEN, `header length ${length} but ${buf.length} bytes`, true);
  }
  // Any version may say HELLO (that is how versions are negotiated); everything else must be 1.3.
  if (type !== OFPT.HELLO && version !== OFP_VERSION) {
    throw new OfDecodeError(OFPET.BAD_REQUEST, OFPBRC.BAD_VERSION, `version ${version} message, we speak ${OFP_VERSION}`);
  }
  const r = new Reader(buf, OFP_HEADER_LEN, length);
  const msg = decodeBody(r, type, xid, version);
  if (r.remaining !== 0 && type !== OFPT.HELLO) {
    throw new OfDecodeError(OFPET.BAD_REQUEST, OFPBRC.BAD_LEN, `${r.remaining} trailing bytes after ${msg.type}`);
  }
  return msg;
}
