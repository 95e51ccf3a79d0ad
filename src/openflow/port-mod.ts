// PORT_MOD: port number, hardware address, config bits with their mask, features to advertise.
import { formatMac, writeMac } from "./addresses.js";
import type { PortMod } from "./messages.js";
import type { Reader, Writer } from "./wire.js";

export function encodePortModBody(w: Writer, m: PortMod): void {
  w.u32(m.portNo);
  w.zeros(4);
  w.zeros(6);
  writeMac(m.hwAddr, w.buf, w.pos - 6);
  w.zeros(2);
  w.u32(m.config);
  w.u32(m.mask);
  w.u32(m.advertise);
  w.zeros(4);
}

export function decodePortModBody(r: Reader, xid: number): PortMod {
  const portNo = r.u32();
  r.skip(4);
  r.need(8, "hw_addr");
  const hwAddr = formatMac(r.buf, r.pos);
  r.skip(8);
  const config = r.u32();
  const mask = r.u32();
  const advertise = r.u32();
  r.skip(4);
  return { type: "portMod", xid, portNo, hwAddr, config, mask, advertise };
}
