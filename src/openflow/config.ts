// GET_CONFIG_REPLY and SET_CONFIG share ofp_switch_config: flags, miss_send_len.
import type { GetConfigReply, SetConfig } from "./messages.js";
import type { Reader, Writer } from "./wire.js";

export function encodeConfigBody(w: Writer, m: GetConfigReply | SetConfig): void {
  w.u16(m.flags);
  w.u16(m.missSendLen);
}

export function decodeConfigBody<T extends "getConfigReply" | "setConfig">(r: Reader, xid: number, type: T): { type: T; xid: number; flags: number; missSendLen: number } {
  const flags = r.u16();
  return { type, xid, flags, missSendLen: r.u16() };
}
