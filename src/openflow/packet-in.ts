// PACKET_IN: buffer id, total length, reason, table, cookie, match, 2 pad bytes, then the frame.
import type { PacketIn } from "./messages.js";
import { decodeMatch, encodeMatch } from "./oxm.js";
import type { Reader, Writer } from "./wire.js";

export function encodePacketInBody(w: Writer, m: PacketIn): void {
  w.u32(m.bufferId);
  w.u16(m.totalLen);
  w.u8(m.reason);
  w.u8(m.tableId);
  w.u64(m.cookie);
  encodeMatch(w, m.match);
  w.zeros(2);
  w.bytes(m.data);
}

export function decodePacketInBody(r: Reader, xid: number): PacketIn {
  const bufferId = r.u32();
  const totalLen = r.u16();
  const reason = r.u8();
  const tableId = r.u8();
  const cookie = r.u64();
  const match = decodeMatch(r);
  r.skip(2);
  return { type: "packetIn", xid, bufferId, totalLen, reason, tableId, cookie, match, data: r.bytes(r.remaining) };
}
