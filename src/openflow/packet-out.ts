// PACKET_OUT: buffer id, in port, actions length, 6 pad bytes, actions, then the frame (when unbuffered).
import { decodeActions, encodeActions } from "./actions.js";
import { OFP_NO_BUFFER, OFPBAC, OFPET, OFPP_CONTROLLER } from "./constants.js";
import type { PacketOut } from "./messages.js";
import type { Reader, Writer } from "./wire.js";

export function encodePacketOutBody(w: Writer, m: PacketOut): void {
  w.u32(m.bufferId ?? OFP_NO_BUFFER);
  w.u32(m.inPort ?? OFPP_CONTROLLER);
  const lenAt = w.placeholder16();
  w.zeros(6);
  const start = w.pos;
  encodeActions(w, m.actions);
  w.patch16(lenAt, w.pos - start);
  if (m.data) w.bytes(m.data);
}

export function decodePacketOutBody(r: Reader, xid: number): PacketOut {
  const bufferId = r.u32();
  const inPort = r.u32();
  const actionsLen = r.u16();
  r.skip(6);
  const actions = decodeActions(r.sub(actionsLen, { errType: OFPET.BAD_ACTION, code: OFPBAC.BAD_LEN }, "packet-out actions"));
  return { type: "packetOut", xid, bufferId, inPort, actions, data: r.bytes(r.remaining) };
}
