// Whole messages: the 8-byte header (version, type, length, xid) and dispatch by type.
// Unknown or unsupported message types decode to an OfDecodeError BAD_REQUEST/BAD_TYPE (documented choice).
import { encodeConfigBody, decodeConfigBody } from "./config.js";
import { OFP_HEADER_LEN, OFP_MAX_MESSAGE_LEN, OFP_VERSION, OFPBRC, OFPET, OFPT } from "./constants.js";
import { OfDecodeError } from "./decode-error.js";
import { decodeEchoBody, encodeEchoBody } from "./echo.js";
import { decodeErrorBody, encodeErrorBody } from "./error.js";
import { decodeFeaturesReplyBody, encodeFeaturesReplyBody } from "./features.js";
import { decodeFlowModBody, encodeFlowModBody } from "./flow-mod.js";
import { decodeFlowRemovedBody, encodeFlowRemovedBody } from "./flow-removed.js";
import { decodeGroupModBody, encodeGroupModBody } from "./group-mod.js";
import { decodeHelloBody, encodeHelloBody } from "./hello.js";
import type { OfMessage, OfMessageType } from "./messages.js";
import { decodeMeterModBody, encodeMeterModBody } from "./meter-mod.js";
import { decodeMultipartReplyBody, decodeMultipartRequestBody, encodeMultipartReplyBody, encodeMultipartRequestBody } from "./multipart.js";
import { decodePacketInBody, encodePacketInBody } from "./packet-in.js";
import { decodePacketOutBody, encodePacketOutBody } from "./packet-out.js";
import { decodePortStatusBody, encodePortStatusBody } from "./port-status.js";
import { Reader, Writer } from "./wire.js";

export const TYPE_CODE: Record<OfMessageType, number> = {
  hello: OFPT.HELLO,
  error: OFPT.ERROR,
  echoRequest: OFPT.ECHO_REQUEST,
  echoReply: OFPT.ECHO_REPLY,
  featuresRequest: OFPT.FEATURES_REQUEST,
  featuresReply: OFPT.FEATURES_REPLY,
  getConfigRequest: OFPT.GET_CONFIG_REQUEST,
  getConfigReply: OFPT.GET_CONFIG_REPLY,
  setConfig: OFPT.SET_CONFIG,
  packetIn: OFPT.PACKET_IN,
  packetOut: OFPT.PACKET_OUT,
  flowMod: OFPT.FLOW_MOD,
  flowRemoved: OFPT.FLOW_REMOVED,
  portStatus: OFPT.PORT_STATUS,
  barrierRequest: OFPT.BARRIER_REQUEST,
  barrierReply: OFPT.BARRIER_REPLY,
  multipartRequest: OFPT.MULTIPART_REQUEST,
  multipartReply: OFPT.MULTIPART_REPLY,
  groupMod: OFPT.GROUP_MOD,
  meterMod: OFPT.METER_MOD,
};

function encodeBody(w: Writer, m: OfMessage): void {
  switch (m.type) {
    case "hello":
      encodeHelloBody(w, m);
      return;
    case "error":
      encodeErrorBody(w, m);
      return;
    case "echoRequest":
    case "echoReply":
      encodeEchoBody(w, m);
      return;
    case "featuresReply":
      encodeFeaturesReplyBody(w, m);
      return;
    case "getConfigReply":
    case "setConfig":
      encodeConfigBody(w, m);
      return;
    case "packetIn":
      encodePacketInBody(w, m);
      return;
    case "packetOut":
      encodePacketOutBody(w, m);
      return;
    case "flowMod":
      encodeFlowModBody(w, m);
      return;
    case "flowRemoved":
      encodeFlowRemovedBody(w, m);
      return;
    case "portStatus":
      encodePortStatusBody(w, m);
      return;
    case "multipartRequest":
      encodeMultipartRequestBody(w, m);
      return;
    case "multipartReply":
      encodeMultipartReplyBody(w, m);
      return;
    case "groupMod":
      encodeGroupModBody(w, m);
      return;
    case "meterMod":
      encodeMeterModBody(w, m);
      return;
    case "featuresRequest":
    case "getConfigRequest":
    case "barrierRequest":
    case "barrierReply":
      return;
  }
}

/** Appends one message to `w`. Throws RangeError/TypeError on values that cannot be encoded. */
export function writeMessage(w: Writer, m: OfMessage): void {
  const start = w.pos;
  w.u8(m.type === "hello" ? (m.version ?? OFP_VERSION) : OFP_VERSION);
  w.u8(TYPE_CODE[m.type]);
  w.u16(0);
  w.u32(m.xid);
  encodeBody(w, m);
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
  switch (type) {
    case OFPT.HELLO:
      return decodeHelloBody(r, xid, version);
    case OFPT.ERROR:
      return decodeErrorBody(r, xid);
    case OFPT.ECHO_REQUEST:
      return decodeEchoBody(r, xid, "echoRequest");
    case OFPT.ECHO_REPLY:
      return decodeEchoBody(r, xid, "echoReply");
    case OFPT.FEATURES_REQUEST:
      return { type: "featuresRequest", xid };
    case OFPT.FEATURES_REPLY:
      return decodeFeaturesReplyBody(r, xid);
    case OFPT.GET_CONFIG_REQUEST:
      return { type: "getConfigRequest", xid };
    case OFPT.GET_CONFIG_REPLY:
      return decodeConfigBody(r, xid, "getConfigReply");
    case OFPT.SET_CONFIG:
      return decodeConfigBody(r, xid, "setConfig");
    case OFPT.PACKET_IN:
      return decodePacketInBody(r, xid);
    case OFPT.FLOW_REMOVED:
      return decodeFlowRemovedBody(r, xid);
    case OFPT.PORT_STATUS:
      return decodePortStatusBody(r, xid);
    case OFPT.PACKET_OUT:
      return decodePacketOutBody(r, xid);
    case OFPT.FLOW_MOD:
      return decodeFlowModBody(r, xid);
    case OFPT.GROUP_MOD:
      return decodeGroupModBody(r, xid);
    case OFPT.MULTIPART_REQUEST:
      return decodeMultipartRequestBody(r, xid);
    case OFPT.MULTIPART_REPLY:
      return decodeMultipartReplyBody(r, xid);
    case OFPT.BARRIER_REQUEST:
      return { type: "barrierRequest", xid };
    case OFPT.BARRIER_REPLY:
      return { type: "barrierReply", xid };
    case OFPT.METER_MOD:
      return decodeMeterModBody(r, xid);
    case OFPT.EXPERIMENTER:
      throw new OfDecodeError(OFPET.BAD_REQUEST, OFPBRC.BAD_EXPERIMENTER, "experimenter messages are not supported");
    default:
      throw new OfDecodeError(OFPET.BAD_REQUEST, OFPBRC.BAD_TYPE, `unsupported message type ${type}`);
  }
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
