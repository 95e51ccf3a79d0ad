// QUEUE_GET_CONFIG request (a port) and reply (the port's queues, each with its properties).
import { OFPBRC, OFPET, OFPQT } from "./constants.js";
import { OfDecodeError } from "./decode-error.js";
import type { PacketQueue, QueueGetConfigReply, QueueGetConfigRequest, QueueProperty } from "./messages.js";
import type { Reader, Writer } from "./wire.js";

const PACKET_QUEUE_LEN = 16;
const PROP_HEADER_LEN = 8;
const RATE_PROP_LEN = 16;
const BAD_LEN = { errType: OFPET.BAD_REQUEST, code: OFPBRC.BAD_LEN };

function badLen(message: string): OfDecodeError {
  return new OfDecodeError(BAD_LEN.errType, BAD_LEN.code, message);
}

export function encodeQueueGetConfigRequestBody(w: Writer, m: QueueGetConfigRequest): void {
  w.u32(m.port);
  w.zeros(4);
}

export function decodeQueueGetConfigRequestBody(r: Reader, xid: number): QueueGetConfigRequest {
  const port = r.u32();
  r.skip(4);
  return { type: "queueGetConfigRequest", xid, port };
}

function encodeProperty(w: Writer, p: QueueProperty): void {
  if (p.kind === "experimenter") {
    w.u16(OFPQT.EXPERIMENTER);
    w.u16(PROP_HEADER_LEN + 8 + p.data.length);
    w.zeros(4);
    w.u32(p.experimenter);
    w.zeros(4);
    w.bytes(p.data);
    return;
  }
  w.u16(p.kind === "minRate" ? OFPQT.MIN_RATE : OFPQT.MAX_RATE);
  w.u16(RATE_PROP_LEN);
  w.zeros(4);
  w.u16(p.rate);
  w.zeros(6);
}

function decodeProperty(r: Reader): QueueProperty {
  r.need(4, "queue property header");
  const kind = r.buf.readUInt16BE(r.pos);
  const len = r.buf.readUInt16BE(r.pos + 2);
  if (len < PROP_HEADER_LEN) throw badLen(`queue property length ${len}`);
  const p = r.sub(len, BAD_LEN, "queue property");
  p.skip(PROP_HEADER_LEN);
  if (kind === OFPQT.MIN_RATE || kind === OFPQT.MAX_RATE) {
    if (len !== RATE_PROP_LEN) throw badLen(`queue rate property length ${len}`);
    const rate = p.u16();
    p.skip(6);
    return { kind: kind === OFPQT.MIN_RATE ? "minRate" : "maxRate", rate };
  }
  if (kind === OFPQT.EXPERIMENTER) {
    const experimenter = p.u32();
    p.skip(4);
    return { kind: "experimenter", experimenter, data: p.bytes(p.remaining) };
  }
  throw new OfDecodeError(OFPET.BAD_REQUEST, OFPBRC.BAD_TYPE, `unknown queue property ${kind}`);
}

export function encodeQueueGetConfigReplyBody(w: Writer, m: QueueGetConfigReply): void {
  w.u32(m.port);
  w.zeros(4);
  for (const q of m.queues) {
    const start = w.pos;
    w.u32(q.queueId);
    w.u32(q.port);
    const lenAt = w.placeholder16();
    w.zeros(6);
    for (const p of q.properties) encodeProperty(w, p);
    w.patch16(lenAt, w.pos - start);
  }
}

export function decodeQueueGetConfigReplyBody(r: Reader, xid: number): QueueGetConfigReply {
  const port = r.u32();
  r.skip(4);
  const queues: PacketQueue[] = [];
  while (r.remaining > 0) {
    r.need(10, "packet queue header");
    const len = r.buf.readUInt16BE(r.pos + 8);
    if (len < PACKET_QUEUE_LEN) throw badLen(`packet queue length ${len}`);
    const q = r.sub(len, BAD_LEN, "packet queue");
    const queueId = q.u32();
    const queuePort = q.u32();
    q.skip(8);
    const properties: QueueProperty[] = [];
    while (q.remaining > 0) properties.push(decodeProperty(q));
    queues.push({ queueId, port: queuePort, properties });
  }
  return { type: "queueGetConfigReply", xid, port, queues };
}
