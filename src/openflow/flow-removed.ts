// FLOW_REMOVED (ofp_flow_removed): 40 fixed bytes after the header, then the match.
import type { FlowRemoved } from "./messages.js";
import { decodeMatch, encodeMatch } from "./oxm.js";
import type { Reader, Writer } from "./wire.js";

export function encodeFlowRemovedBody(w: Writer, m: FlowRemoved): void {
  w.u64(m.cookie);
  w.u16(m.priority);
  w.u8(m.reason);
  w.u8(m.tableId);
  w.u32(m.durationSec);
  w.u32(m.durationNsec);
  w.u16(m.idleTimeout);
  w.u16(m.hardTimeout);
  w.u64(m.packetCount);
  w.u64(m.byteCount);
  encodeMatch(w, m.match);
}

export function decodeFlowRemovedBody(r: Reader, xid: number): FlowRemoved {
  const cookie = r.u64();
  const priority = r.u16();
  const reason = r.u8();
  const tableId = r.u8();
  const durationSec = r.u32();
  const durationNsec = r.u32();
  const idleTimeout = r.u16();
  const hardTimeout = r.u16();
  const packetCount = r.u64();
  const byteCount = r.u64();
  const match = decodeMatch(r);
  return {
    type: "flowRemoved",
    xid,
    cookie,
    priority,
    reason,
    tableId,
    durationSec,
    durationNsec,
    idleTimeout,
    hardTimeout,
    packetCount,
    byteCount,
    match,
  };
}
