// PUT .../ports/:port as a PORT_MOD: the bits asked for in `mask`, set or
// cleared in `config`, the port's own hw_addr, advertise left alone.
import { describe, expect, it } from "vitest";
import { portModFor } from "../../../../controller/openflow/port-mod.js";
import type { PortDesc } from "../../../../src/openflow/messages.js";

const port: PortDesc = { portNo: 3, hwAddr: "02:aa:bb:cc:dd:03", name: "p3", config: 0x40, state: 0, curr: 0, advertised: 0, supported: 0, peer: 0, currSpeed: 0, maxSpeed: 0 };

describe("portModFor", () => {
  it("sets PORT_DOWN alone, leaving NO_PACKET_IN as the switch has it", () => {
    expect(portModFor(port, { adminDown: true })).toEqual({ type: "portMod", xid: 0, portNo: 3, hwAddr: "02:aa:bb:cc:dd:03", config: 1, mask: 1, advertise: 0 });
  });

  it("clears a bit by naming it in the mask with config 0", () => {
    expect(portModFor(port, { adminDown: false, noPacketIn: false })).toMatchObject({ config: 0, mask: 0x41 });
    expect(portModFor(port, { adminDown: false, noPacketIn: true })).toMatchObject({ config: 0x40, mask: 0x41 });
  });

  it("sends nothing for noFlood alone (no OpenFlow 1.3 bit: the controller keeps it)", () => {
    expect(portModFor(port, { noFlood: true })).toBeUndefined();
    expect(portModFor(port, { noFlood: true, adminDown: true })).toMatchObject({ config: 1, mask: 1 });
  });
});
