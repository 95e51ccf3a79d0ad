// OFPT_EXPERIMENTER: experimenter id and type; the rest belongs to the experimenter and is carried as bytes.
import type { ExperimenterMessage } from "./messages.js";
import type { Reader, Writer } from "./wire.js";

export function encodeExperimenterBody(w: Writer, m: ExperimenterMessage): void {
  w.u32(m.experimenter);
  w.u32(m.expType);
  w.bytes(m.data);
}

export function decodeExperimenterBody(r: Reader, xid: number): ExperimenterMessage {
  const experimenter = r.u32();
  const expType = r.u32();
  return { type: "experimenter", xid, experimenter, expType, data: r.bytes(r.remaining) };
}
