// Byte vectors captured from Open vSwitch 3.1 (ovs-ofctl -O OpenFlow13 talking to ovs-vswitchd through a
// logging proxy), so these check our layouts against a real implementation, not against ourselves.
import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage, type OfMessage } from "../../../../src/openflow/index.js";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

interface Vector {
  name: string;
  wire: string;
  msg: OfMessage;
  /** OVS writes ipv4_src before ip_proto; we write OXMs in field-number order. Both are valid OpenFlow. */
  oxmOrderDiffers?: boolean;
}

const vectors: Vector[] = [
  {
    name: "HELLO with a version bitmap (OVS, OpenFlow 1.3 only)",
    wire: "04000010000000010001000800000010",
    msg: { type: "hello", xid: 1, version: 4, versions: [4] },
  },
  {
    name: "FLOW_MOD add as `ovs-ofctl add-flow` sends: tcp,in_port=1,nw_src=10/8,tp_dst=80, push_vlan+set_field+output",
    oxmOrderDiffers: true,
    wire:
      "040e009000000006000000000000123400000000000000000000001e003c0064ffffffffffffffffffffffff00000000" +
      "00010029800000040000000180000a020800800017080a000000ff000000800014010680001c020050000000000000" +
      "00000400300000000000110008810000000019001080000c02106400000000000000000010000000020000000000000000",
    msg: {
      type: "flowMod",
      xid: 6,
      command: "add",
      cookie: 0x1234n,
      cookieMask: 0n,
      tableId: 0,
      idleTimeout: 30,
      hardTimeout: 60,
      priority: 100,
      bufferId: 0xffffffff,
      outPort: 0xffffffff,
      outGroup: 0xffffffff,
      flags: 0,
      match: { inPort: 1, ethType: 0x800, ipv4Src: "10.0.0.0", ipv4SrcMask: "255.0.0.0", ipProto: 6, tcpDst: 80 },
      instructions: [
        {
          type: "applyActions",
          actions: [
            { type: "pushVlan", ethertype: 0x8100 },
            { type: "setField", field: { vlanVid: 4196 } },
            { type: "output", port: 2, maxLen: 0 },
          ],
        },
      ],
    },
  },
  {
    name: "FLOW_MOD add: arp,arp_op=1,arp_tpa=10.0.0.1 -> set_queue:3,group:7,goto_table:1",
    wire:
      "040e0068000000060000000000000000000000000000000000000000000000c8ffffffffffffffffffffffff00000000" +
      "0001001880000a02080680002a02000180002e040a0000010004001800000000001500080000000300160008000000070001000801000000",
    msg: {
      type: "flowMod",
      xid: 6,
      command: "add",
      cookie: 0n,
      cookieMask: 0n,
      tableId: 0,
      idleTimeout: 0,
      hardTimeout: 0,
      priority: 200,
      bufferId: 0xffffffff,
      outPort: 0xffffffff,
      outGroup: 0xffffffff,
      flags: 0,
      match: { ethType: 0x806, arpOp: 1, arpTpa: "10.0.0.1" },
      instructions: [
        { type: "applyActions", actions: [{ type: "setQueue", queueId: 3 }, { type: "group", groupId: 7 }] },
        { type: "gotoTable", tableId: 1 },
      ],
    },
  },
  {
    name: "FLOW_MOD delete-strict from `ovs-ofctl del-flows --strict`",
    wire:
      "040e00480000000600000000000000000000000000000000ff040000000000c8ffffffffffffffffffffffff00000000" +
      "0001001880000a02080680002a02000180002e040a000001",
    msg: {
      type: "flowMod",
      xid: 6,
      command: "deleteStrict",
      cookie: 0n,
      cookieMask: 0n,
      tableId: 0xff,
      idleTimeout: 0,
      hardTimeout: 0,
      priority: 200,
      bufferId: 0xffffffff,
      outPort: 0xffffffff,
      outGroup: 0xffffffff,
      flags: 0,
      match: { ethType: 0x806, arpOp: 1, arpTpa: "10.0.0.1" },
      instructions: [],
    },
  },
  {
    name: "FEATURES_REPLY from ovs-vswitchd",
    wire: "04060020000000020000ce11c1edef4900000000fe0000000000004f00000000",
    msg: { type: "featuresReply", xid: 2, datapathId: 0xce11c1edef49n, nBuffers: 0, nTables: 254, auxiliaryId: 0, capabilities: 0x4f },
  },
  {
    name: "MULTIPART flow-stats request from `ovs-ofctl dump-flows`",
    wire: "04120038000000020001000000000000ff000000ffffffffffffffff00000000000000000000000000000000000000000001000400000000",
    msg: {
      type: "multipartRequest",
      xid: 2,
      flags: 0,
      body: { kind: "flow", tableId: 0xff, outPort: 0xffffffff, outGroup: 0xffffffff, cookie: 0n, cookieMask: 0n, match: {} },
    },
  },
  {
    name: "MULTIPART flow-stats reply from ovs-vswitchd",
    oxmOrderDiffers: true,
    wire:
      "041300a0000000020001000000000000009000000000000007829b800064001e003c00000000000000000000000012340000000000000000" +
      "000000000000000000010029800000040000000180000a020800800017080a000000ff000000800014010680001c0200500000000000000000" +
      "0400300000000000110008810000000019001080000c02106400000000000000000010000000020000000000000000",
    msg: {
      type: "multipartReply",
      xid: 2,
      flags: 0,
      body: {
        kind: "flow",
        stats: [
          {
            tableId: 0,
            durationSec: 0,
            durationNsec: 126000000,
            priority: 100,
            idleTimeout: 30,
            hardTimeout: 60,
            flags: 0,
            cookie: 0x1234n,
            packetCount: 0n,
            byteCount: 0n,
            match: { inPort: 1, ethType: 0x800, ipv4Src: "10.0.0.0", ipv4SrcMask: "255.0.0.0", ipProto: 6, tcpDst: 80 },
            instructions: [
              {
                type: "applyActions",
                actions: [
                  { type: "pushVlan", ethertype: 0x8100 },
                  { type: "setField", field: { vlanVid: 4196 } },
                  { type: "output", port: 2, maxLen: 0 },
                ],
              },
            ],
          },
        ],
      },
    },
  },
  {
    name: "MULTIPART port-desc reply from ovs-vswitchd",
    wire:
      "0413005000000004000d000000000000fffffffe00000000ce11c1edef490000666d6276656300000000000000000000" +
      "0000000100000001000008400000000000000000000000000098968000000000",
    msg: {
      type: "multipartReply",
      xid: 4,
      flags: 0,
      body: {
        kind: "portDesc",
        ports: [
          {
            portNo: 0xfffffffe,
            hwAddr: "ce:11:c1:ed:ef:49",
            name: "fmbvec",
            config: 1,
            state: 1,
            curr: 0x840,
            advertised: 0,
            supported: 0,
            peer: 0,
            currSpeed: 10000000,
            maxSpeed: 0,
          },
        ],
      },
    },
  },
  {
    name: "MULTIPART aggregate reply from ovs-vswitchd",
    wire: "04130028000000020002000000000000000000000000000000000000000000000000000100000000",
    msg: { type: "multipartReply", xid: 2, flags: 0, body: { kind: "aggregate", packetCount: 0n, byteCount: 0n, flowCount: 1 } },
  },
  {
    name: "MULTIPART port-stats request from `ovs-ofctl dump-ports`",
    wire: "04120018000000020004000000000000ffffffff00000000",
    msg: { type: "multipartRequest", xid: 2, flags: 0, body: { kind: "portStats", portNo: 0xffffffff } },
  },
  {
    name: "GET_CONFIG_REPLY from ovs-vswitchd",
    wire: "0408000c0000000500000000",
    msg: { type: "getConfigReply", xid: 5, flags: 0, missSendLen: 0 },
  },
  {
    name: "BARRIER request",
    wire: "0414000800000007",
    msg: { type: "barrierRequest", xid: 7 },
  },
];

describe("OpenFlow 1.3 byte vectors from Open vSwitch", () => {
  for (const v of vectors) {
    it(`decodes and re-encodes: ${v.name}`, () => {
      const wire = hex(v.wire);
      expect(decodeMessage(wire)).toEqual(v.msg);
      const ours = encodeMessage(v.msg);
      if (v.oxmOrderDiffers) {
        expect(ours.length).toBe(wire.length);
        expect(decodeMessage(ours)).toEqual(v.msg);
      } else {
        expect(ours.toString("hex")).toBe(wire.toString("hex"));
      }
    });
  }

  it("decodes an OVS ERROR (BAD_ACTION/BAD_OUT_GROUP) carrying the offending FLOW_MOD", () => {
    const flowMod = vectors[2]!.wire;
    const err = decodeMessage(hex(`040100740000000600020009${flowMod}`));
    expect(err).toEqual({ type: "error", xid: 6, errType: 2, code: 9, data: hex(flowMod) });
  });

  it("decodes a PORT_STATS reply from ovs-vswitchd", () => {
    const wire = hex(
      "04130080000000020004000000000000fffffffe00000000" + "00".repeat(96) + "000000072db77dc0",
    );
    const m = decodeMessage(wire);
    expect(m.type === "multipartReply" && m.body.kind === "portStats" && m.body.stats[0]).toMatchObject({
      portNo: 0xfffffffe,
      rxPackets: 0n,
      collisions: 0n,
      durationSec: 7,
      durationNsec: 767000000,
    });
  });
});
