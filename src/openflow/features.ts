// FEATURES_REPLY (ofp_switch_features, 32 bytes with header); the request has no body.
import type { FeaturesReply } from "./messages.js";
import type { Reader, Writer } from "./wire.js";

export function encodeFeaturesReplyBody(w: Writer, m: FeaturesReply): void {
  w.u64(m.datapathId);
  w.u32(m.nBuffers);
  w.u8(m.nTables);
  w.u8(m.auxiliaryId);
  w.zeros(2);
  w.u32(m.capabilities);
  w.u32(0); // reserved
}

export function decodeFeaturesReplyBody(r: Reader, xid: number): FeaturesReply {
  const datapathId = r.u64();
  const nBuffers = r.u32();
  const nTables = r.u8();
  const auxiliaryId = r.u8();
  r.skip(2);
  const capabilities = r.u32();
  r.skip(4);
  return { type: "featuresReply", xid, datapathId, nBuffers, nTables, auxiliaryId, capabilities };
}
