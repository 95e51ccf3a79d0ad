// PUT /v1/switches/:dpid/ports/:port as an OpenFlow 1.3 PORT_MOD: only the
// bits asked for are in `mask`, the port's own hw_addr (from its description)
// names it, and `advertise` 0 leaves its features alone. noFlood has no bit in
// OpenFlow 1.3 (OFPPC_NO_FLOOD went with 1.0): the controller keeps it itself.
import { OFPPC } from "../../src/openflow/index.js";
import type { PortDesc, PortMod } from "../../src/openflow/messages.js";
import type { PortChange } from "../../src/api-types/controller.js";

export function portModFor(port: PortDesc, change: PortChange): PortMod | undefined {
  let config = 0;
  let mask = 0;
  const bit = (flag: number, on: boolean | undefined) => {
    if (on === undefined) return;
    mask |= flag;
    if (on) config |= flag;
  };
  bit(OFPPC.PORT_DOWN, change.adminDown);
  bit(OFPPC.NO_PACKET_IN, change.noPacketIn);
  // Only noFlood asked: nothing for the switch to do.
  if (mask === 0) return undefined;
  return { type: "portMod", xid: 0, portNo: port.portNo, hwAddr: port.hwAddr, config, mask, advertise: 0 };
}
