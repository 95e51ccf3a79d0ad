// GET_ASYNC_REPLY and SET_ASYNC (ofp_async_config): three pairs of reason bitmaps, [master/equal, slave].
import type { AsyncConfig } from "./messages.js";
import type { Reader, Writer } from "./wire.js";

export function encodeAsyncConfigBody(w: Writer, m: AsyncConfig): void {
  for (const pair of [m.packetInMask, m.portStatusMask, m.flowRemovedMask]) {
    w.u32(pair[0]);
    w.u32(pair[1]);
  }
}

export function decodeAsyncConfigBody<T extends "getAsyncReply" | "setAsync">(r: Reader, xid: number, type: T): AsyncConfig & { type: T; xid: number } {
  const pair = (): [number, number] => [r.u32(), r.u32()];
  const packetInMask = pair();
  const portStatusMask = pair();
  return { type, xid, packetInMask, portStatusMask, flowRemovedMask: pair() };
}
