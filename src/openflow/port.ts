// struct ofp_port (64 bytes), used by PORT_STATUS and the PORT_DESC multipart reply.
import { formatMac, writeMac } from "./addresses.js";
import type { PortDesc } from "./messages.js";
import type { Reader, Writer } from "./wire.js";

export const OFP_PORT_LEN = 64;
export const OFP_MAX_PORT_NAME_LEN = 16;

/** A port name as OVS writes it: UTF-8, NUL padded, at most 15 bytes so the NUL always fits. */
function writePortName(w: Writer, name: string): void {
  const bytes = Buffer.from(name, "utf8");
  if (bytes.length >= OFP_MAX_PORT_NAME_LEN) {
    throw new RangeError(`port name ${JSON.stringify(name)} is ${bytes.length} bytes of UTF-8; at most ${OFP_MAX_PORT_NAME_LEN - 1} fit`);
  }
  w.bytes(bytes);
  w.zeros(OFP_MAX_PORT_NAME_LEN - bytes.length);
}

function readPortName(r: Reader): string {
  r.need(OFP_MAX_PORT_NAME_LEN, "port name");
  const raw = r.buf.subarray(r.pos, r.pos + OFP_MAX_PORT_NAME_LEN);
  r.skip(OFP_MAX_PORT_NAME_LEN);
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul < 0 ? OFP_MAX_PORT_NAME_LEN : nul).toString("utf8");
}

export function encodePort(w: Writer, p: PortDesc): void {
  w.u32(p.portNo);
  w.zeros(4);
  w.zeros(6);
  writeMac(p.hwAddr, w.buf, w.pos - 6);
  w.zeros(2);
  writePortName(w, p.name);
  w.u32(p.config);
  w.u32(p.state);
  w.u32(p.curr);
  w.u32(p.advertised);
  w.u32(p.supported);
  w.u32(p.peer);
  w.u32(p.currSpeed);
  w.u32(p.maxSpeed);
}

export function decodePort(r: Reader): PortDesc {
  r.need(OFP_PORT_LEN, "ofp_port");
  const portNo = r.u32();
  r.skip(4);
  const hwAddr = formatMac(r.buf, r.pos);
  r.skip(8);
  const name = readPortName(r);
  const config = r.u32();
  const state = r.u32();
  const curr = r.u32();
  const advertised = r.u32();
  const supported = r.u32();
  const peer = r.u32();
  const currSpeed = r.u32();
  const maxSpeed = r.u32();
  return { portNo, hwAddr, name, config, state, curr, advertised, supported, peer, currSpeed, maxSpeed };
}
