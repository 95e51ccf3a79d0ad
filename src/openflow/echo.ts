// ECHO request/reply: an opaque payload the reply must repeat.
import type { EchoReply, EchoRequest } from "./messages.js";
import type { Reader, Writer } from "./wire.js";

export function encodeEchoBody(w: Writer, m: EchoRequest | EchoReply): void {
  if (m.data) w.bytes(m.data);
}

export function decodeEchoBody<T extends "echoRequest" | "echoReply">(r: Reader, xid: number, type: T): { type: T; xid: number; data: Buffer } {
  return { type, xid, data: r.bytes(r.remaining) };
}

/** The reply a peer expects to an ECHO_REQUEST. */
export function echoReplyFor(req: EchoRequest): EchoReply {
  return { type: "echoReply", xid: req.xid, data: req.data ?? Buffer.alloc(0) };
}
