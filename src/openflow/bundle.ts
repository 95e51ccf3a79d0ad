// Bundles in OpenFlow 1.3 through ONF's extension (EXT-230, the one OVS accepts under 1.3): an OFPT_EXPERIMENTER
// with experimenter 0x4f4e4600 and type 2300 (bundle control: open, commit, discard...) or 2301 (bundle add: a
// whole message wrapped, whose xid must be the wrapper's). They stay `experimenter` messages in the codec; these
// helpers read and write their bodies. Seen on OVS 3.1: a message that fails when added is refused with an ERROR
// but the bundle stays open (a later commit would apply the rest), while one failing at commit fails it all.
import { writeMessage } from "./codec.js";
import type { ExperimenterMessage, OfMessage } from "./messages.js";
import type { Writer } from "./wire.js";

export const ONF_EXPERIMENTER = 0x4f4e4600;
export const ONFT_BUNDLE_CONTROL = 2300;
export const ONFT_BUNDLE_ADD_MESSAGE = 2301;
/** ofp_header + experimenter + exp_type + bundle_id + type/pad + flags. */
export const BUNDLE_HEADER_LEN = 24;

/** ofp14_bundle_ctrl_type */
export const OFPBCT = {
  OPEN_REQUEST: 0,
  OPEN_REPLY: 1,
  CLOSE_REQUEST: 2,
  CLOSE_REPLY: 3,
  COMMIT_REQUEST: 4,
  COMMIT_REPLY: 5,
  DISCARD_REQUEST: 6,
  DISCARD_REPLY: 7,
} as const;

/** ofp14_bundle_flags */
export const OFPBF = { ATOMIC: 1, ORDERED: 2 } as const;

export interface BundleControl {
  bundleId: number;
  /** OFPBCT_* */
  ctrlType: number;
  /** OFPBF_* */
  flags: number;
  /** Bundle properties, as bytes (OVS sends none). */
  properties?: Buffer;
}

export function bundleControlMessage(xid: number, c: BundleControl): ExperimenterMessage {
  const data = Buffer.alloc(8 + (c.properties?.length ?? 0));
  data.writeUInt32BE(c.bundleId >>> 0, 0);
  data.writeUInt16BE(c.ctrlType, 4);
  data.writeUInt16BE(c.flags, 6);
  c.properties?.copy(data, 8);
  return { type: "experimenter", xid, experimenter: ONF_EXPERIMENTER, expType: ONFT_BUNDLE_CONTROL, data };
}

/** The bundle control an experimenter message carries; undefined for any other message. */
export function bundleControlOf(m: ExperimenterMessage): BundleControl | undefined {
  if (m.experimenter !== ONF_EXPERIMENTER || m.expType !== ONFT_BUNDLE_CONTROL || m.data.length < 8) return undefined;
  const c: BundleControl = { bundleId: m.data.readUInt32BE(0), ctrlType: m.data.readUInt16BE(4), flags: m.data.readUInt16BE(6) };
  if (m.data.length > 8) c.properties = Buffer.from(m.data.subarray(8));
  return c;
}

/** Whether the message is an ONF bundle add (a change to the switch once committed). */
export function isBundleAdd(m: ExperimenterMessage): boolean {
  return m.experimenter === ONF_EXPERIMENTER && m.expType === ONFT_BUNDLE_ADD_MESSAGE;
}

/**
 * Appends a bundle add wrapping `inner`, encoded once in place (no intermediate buffer); both carry `xid`.
 * On an encoding error the writer is left where it was and the error thrown.
 */
export function writeBundleAdd(w: Writer, xid: number, bundleId: number, flags: number, inner: OfMessage): void {
  const start = w.pos;
  try {
    w.u8(4);
    w.u8(4); // OFPT_EXPERIMENTER
    w.u16(0);
    w.u32(xid);
    w.u32(ONF_EXPERIMENTER);
    w.u32(ONFT_BUNDLE_ADD_MESSAGE);
    w.u32(bundleId);
    w.u16(0);
    w.u16(flags);
    inner.xid = xid;
    writeMessage(w, inner);
    const len = w.pos - start;
    if (len > 0xffff) throw new RangeError(`${inner.type} of ${len - BUNDLE_HEADER_LEN} bytes is too long to be added to a bundle`);
    w.patch16(start + 2, len);
  } catch (err) {
    w.pos = start;
    throw err;
  }
}

/** The wrapped message's bytes of a bundle add, undefined for any other message (decode them with decodeMessage). */
export function bundleAddOf(m: ExperimenterMessage): { bundleId: number; flags: number; message: Buffer } | undefined {
  if (!isBundleAdd(m) || m.data.length < 16) return undefined;
  const len = m.data.readUInt16BE(10);
  if (len < 8 || 8 + len > m.data.length) return undefined;
  return { bundleId: m.data.readUInt32BE(0), flags: m.data.readUInt16BE(6), message: m.data.subarray(8, 8 + len) };
}
