// ONF bundles in OpenFlow 1.3 (src/openflow/bundle.ts) against the bytes `ovs-ofctl -O OpenFlow13 --bundle
// add-flow BR priority=7,ip,nw_dst=10.7.0.1,actions=output:1` sent to OVS 3.1 (test/helpers/ofctl-capture.ts).
import { describe, expect, it } from "vitest";
import {
  bundleAddOf,
  bundleControlMessage,
  bundleControlOf,
  decodeMessage,
  encodeMessage,
  OFPBCT,
  OFPBF,
  Writer,
  writeBundleAdd,
} from "../../../../src/openflow/index.js";
import type { ExperimenterMessage, FlowMod } from "../../../../src/openflow/messages.js";

const OVS_OPEN = "04040018000000074f4e4600000008fc0000000000000003";
const OVS_COMMIT = "04040018000000094f4e4600000008fc0000000000040003";
const OVS_ADD =
  "04040078000000064f4e4600000008fd0000000000000003040e006000000006000000000000000000000000000000000000000000000007" +
  "ffffffffffffffffffffffff000000000001001280000a020800800018040a070001000000000000000400180000000000000010000000010000000000000000";

const flow: FlowMod = {
  type: "flowMod",
  xid: 0,
  command: "add",
  priority: 7,
  match: { ethType: 0x0800, ipv4Dst: "10.7.0.1" },
  instructions: [{ type: "applyActions", actions: [{ type: "output", port: 1, maxLen: 0 }] }],
};

describe("ONF bundle messages", () => {
  it("writes bundle controls as OVS's ovs-ofctl does, and reads them back", () => {
    const flags = OFPBF.ATOMIC | OFPBF.ORDERED;
    expect(encodeMessage(bundleControlMessage(7, { bundleId: 0, ctrlType: OFPBCT.OPEN_REQUEST, flags })).toString("hex")).toBe(OVS_OPEN);
    expect(encodeMessage(bundleControlMessage(9, { bundleId: 0, ctrlType: OFPBCT.COMMIT_REQUEST, flags })).toString("hex")).toBe(OVS_COMMIT);
    const reply = decodeMessage(Buffer.from("04040018000000094f4e4600000008fc0000000000050000", "hex")) as ExperimenterMessage;
    expect(bundleControlOf(reply)).toEqual({ bundleId: 0, ctrlType: OFPBCT.COMMIT_REPLY, flags: 0 });
    expect(bundleControlOf({ type: "experimenter", xid: 1, experimenter: 0x2320, expType: 2300, data: Buffer.alloc(8) })).toBeUndefined();
  });

  it("wraps a FLOW_MOD in a bundle add in one pass, under the wrapper's xid, byte for byte as ovs-ofctl", () => {
    const w = new Writer(16);
    writeBundleAdd(w, 6, 0, OFPBF.ATOMIC | OFPBF.ORDERED, { ...flow });
    expect(w.result().toString("hex")).toBe(OVS_ADD);
    const add = bundleAddOf(decodeMessage(Buffer.from(OVS_ADD, "hex")) as ExperimenterMessage);
    expect(add?.bundleId).toBe(0);
    expect(add?.flags).toBe(3);
    expect(decodeMessage(add!.message)).toMatchObject({ ...flow, xid: 6 });
  });

  it("refuses a message too long to wrap and leaves the writer as it was", () => {
    const w = new Writer(64);
    w.u32(0xdeadbeef);
    const huge: FlowMod = { ...flow, instructions: [{ type: "experimenter", experimenter: 1, body: Buffer.alloc(65_480) }] };
    expect(() => writeBundleAdd(w, 1, 1, 0, huge)).toThrow(RangeError);
    expect(w.pos).toBe(4);
  });
});
