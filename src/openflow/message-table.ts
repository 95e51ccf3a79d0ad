// Every OpenFlow message type the codec speaks, declared once: its wire type
// code, its body encoder and its body decoder side by side. codec.ts frames
// the 8-byte header and dispatches through this table in both directions, so
// supporting a new message is one entry here (and its shape in messages.ts).
import { decodeAsyncConfigBody, encodeAsyncConfigBody } from "./async-config.js";
import { decodeConfigBody, encodeConfigBody } from "./config.js";
import { OFPT } from "./constants.js";
import { decodeEchoBody, encodeEchoBody } from "./echo.js";
import { decodeErrorBody, encodeErrorBody } from "./error.js";
import { decodeExperimenterBody, encodeExperimenterBody } from "./experimenter.js";
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
import { decodePortModBody, encodePortModBody } from "./port-mod.js";
import { decodePortStatusBody, encodePortStatusBody } from "./port-status.js";
import {
  decodeQueueGetConfigReplyBody,
  decodeQueueGetConfigRequestBody,
  encodeQueueGetConfigReplyBody,
  encodeQueueGetConfigRequestBody,
} from "./queue-config.js";
import { decodeRoleBody, encodeRoleBody } from "./role.js";
import { decodeTableModBody, encodeTableModBody } from "./table-mod.js";
import type { Reader, Writer } from "./wire.js";

export type MessageOf<K extends OfMessageType> = Extract<OfMessage, { type: K }>;

/** One message type on the wire: what follows the header, both ways. */
export interface MessageCodec<M extends OfMessage> {
  /** OFPT_* */
  code: number;
  encode(w: Writer, m: M): void;
  /** Reads the body after the header; `version` is the header's (only HELLO may differ from ours). */
  decode(r: Reader, xid: number, version: number): M;
}

export type MessageTable = { [K in OfMessageType]: MessageCodec<MessageOf<K>> };

/** Encoder of a message that is all header (FEATURES_REQUEST, BARRIER_*...). */
const noBody = (): void => {};

export const MESSAGES: MessageTable = {
  hello: { code: OFPT.HELLO, encode: encodeHelloBody, decode: decodeHelloBody },
  error: { code: OFPT.ERROR, encode: encodeErrorBody, decode: decodeErrorBody },
  echoRequest: { code: OFPT.ECHO_REQUEST, encode: encodeEchoBody, decode: (r, xid) => decodeEchoBody(r, xid, "echoRequest") },
  echoReply: { code: OFPT.ECHO_REPLY, encode: encodeEchoBody, decode: (r, xid) => decodeEchoBody(r, xid, "echoReply") },
  featuresRequest: { code: OFPT.FEATURES_REQUEST, encode: noBody, decode: (_r, xid) => ({ type: "featuresRequest", xid }) },
  featuresReply: { code: OFPT.FEATURES_REPLY, encode: encodeFeaturesReplyBody, decode: decodeFeaturesReplyBody },
  getConfigRequest: { code: OFPT.GET_CONFIG_REQUEST, encode: noBody, decode: (_r, xid) => ({ type: "getConfigRequest", xid }) },
  getConfigReply: { code: OFPT.GET_CONFIG_REPLY, encode: encodeConfigBody, decode: (r, xid) => decodeConfigBody(r, xid, "getConfigReply") },
  setConfig: { code: OFPT.SET_CONFIG, encode: encodeConfigBody, decode: (r, xid) => decodeConfigBody(r, xid, "setConfig") },
  packetIn: { code: OFPT.PACKET_IN, encode: encodePacketInBody, decode: decodePacketInBody },
  packetOut: { code: OFPT.PACKET_OUT, encode: encodePacketOutBody, decode: decodePacketOutBody },
  flowMod: { code: OFPT.FLOW_MOD, encode: encodeFlowModBody, decode: decodeFlowModBody },
  flowRemoved: { code: OFPT.FLOW_REMOVED, encode: encodeFlowRemovedBody, decode: decodeFlowRemovedBody },
  portStatus: { code: OFPT.PORT_STATUS, encode: encodePortStatusBody, decode: decodePortStatusBody },
  barrierRequest: { code: OFPT.BARRIER_REQUEST, encode: noBody, decode: (_r, xid) => ({ type: "barrierRequest", xid }) },
  barrierReply: { code: OFPT.BARRIER_REPLY, encode: noBody, decode: (_r, xid) => ({ type: "barrierReply", xid }) },
  multipartRequest: { code: OFPT.MULTIPART_REQUEST, encode: encodeMultipartRequestBody, decode: decodeMultipartRequestBody },
  multipartReply: { code: OFPT.MULTIPART_REPLY, encode: encodeMultipartReplyBody, decode: decodeMultipartReplyBody },
  groupMod: { code: OFPT.GROUP_MOD, encode: encodeGroupModBody, decode: decodeGroupModBody },
  meterMod: { code: OFPT.METER_MOD, encode: encodeMeterModBody, decode: decodeMeterModBody },
  roleRequest: { code: OFPT.ROLE_REQUEST, encode: encodeRoleBody, decode: (r, xid) => decodeRoleBody(r, xid, "roleRequest") },
  roleReply: { code: OFPT.ROLE_REPLY, encode: encodeRoleBody, decode: (r, xid) => decodeRoleBody(r, xid, "roleReply") },
  getAsyncRequest: { code: OFPT.GET_ASYNC_REQUEST, encode: noBody, decode: (_r, xid) => ({ type: "getAsyncRequest", xid }) },
  getAsyncReply: { code: OFPT.GET_ASYNC_REPLY, encode: encodeAsyncConfigBody, decode: (r, xid) => decodeAsyncConfigBody(r, xid, "getAsyncReply") },
  setAsync: { code: OFPT.SET_ASYNC, encode: encodeAsyncConfigBody, decode: (r, xid) => decodeAsyncConfigBody(r, xid, "setAsync") },
  portMod: { code: OFPT.PORT_MOD, encode: encodePortModBody, decode: decodePortModBody },
  tableMod: { code: OFPT.TABLE_MOD, encode: encodeTableModBody, decode: decodeTableModBody },
  queueGetConfigRequest: { code: OFPT.QUEUE_GET_CONFIG_REQUEST, encode: encodeQueueGetConfigRequestBody, decode: decodeQueueGetConfigRequestBody },
  queueGetConfigReply: { code: OFPT.QUEUE_GET_CONFIG_REPLY, encode: encodeQueueGetConfigReplyBody, decode: decodeQueueGetConfigReplyBody },
  experimenter: { code: OFPT.EXPERIMENTER, encode: encodeExperimenterBody, decode: decodeExperimenterBody },
};

export type BodyDecoder = (r: Reader, xid: number, version: number) => OfMessage;

/** The decoders by wire code, built from MESSAGES so the two directions cannot disagree. */
export const DECODERS_BY_CODE: ReadonlyMap<number, BodyDecoder> = new Map(Object.values(MESSAGES).map((codec) => [codec.code, codec.decode]));
