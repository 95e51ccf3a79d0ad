// PORT_STATUS: reason, 7 pad bytes, then the port.
import type { PortStatus } from "./messages.js";
import { decodePort, encodePort } from "./port.js";
import type { Reader, Writer } from "./wire.js";

export function encodePortStatusBody(w: Writer, m: PortStatus): void {
  w.u8(m.reason);
  w.zeros(7);
  encodePort(w, m.port);
}

export function decodePortStatusBody(r: Reader, xid: number): PortStatus {
  const reason = r.u8();
  r.skip(7);
  return { type: "portStatus", xid, reason, port: decodePort(r) };
}
