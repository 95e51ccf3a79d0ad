// Actions and instructions a switch may send that we do not act on still decode: MPLS, PBB and TTL actions by
// name, experimenter ones with their experimenter id and bytes, instead of failing the whole message.
import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage } from "../../../../src/openflow/index.js";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

describe("actions and instructions", () => {
  it("decodes a PACKET_OUT with an experimenter action (Nicira note) between standard ones and re-encodes it", () => {
    const wire = hex(
      "040d0038 00000005 ffffffff fffffffd 0020 000000000000" + // header, buffer, in_port CONTROLLER, actions_len 32
        "ffff0010 00002320 0008 6162636400 00" + // experimenter 0x2320, subtype 8 (note) "abcd", padded to 16
        "0000 0010 00000002 ffff 000000000000", // output:2
    );
    const m = decodeMessage(wire);
    expect(m).toEqual({
      type: "packetOut",
      xid: 5,
      bufferId: 0xffffffff,
      inPort: 0xfffffffd,
      actions: [
        { type: "experimenter", experimenter: 0x2320, body: hex("0008616263640000") },
        { type: "output", port: 2, maxLen: 0xffff },
      ],
      data: Buffer.alloc(0),
    });
    expect(encodeMessage(m).equals(wire)).toBe(true);
  });

  it("decodes an experimenter instruction with its experimenter id and bytes", () => {
    const m = decodeMessage(
      encodeMessage({ type: "flowMod", xid: 1, command: "add", instructions: [{ type: "experimenter", experimenter: 0x4f4e4600, body: hex("0000000100000000") }] }),
    );
    expect(m.type === "flowMod" && m.instructions).toEqual([{ type: "experimenter", experimenter: 0x4f4e4600, body: hex("0000000100000000") }]);
  });

  it("writes the MPLS, PBB and TTL actions in the layouts of OpenFlow 1.3.5 section 7.2.5", () => {
    const wire = encodeMessage({
      type: "packetOut",
      xid: 1,
      actions: [
        { type: "copyTtlOut" },
        { type: "copyTtlIn" },
        { type: "setMplsTtl", ttl: 9 },
        { type: "decMplsTtl" },
        { type: "pushMpls", ethertype: 0x8847 },
        { type: "popMpls", ethertype: 0x0800 },
        { type: "pushPbb", ethertype: 0x88e7 },
        { type: "popPbb" },
        { type: "setNwTtl", ttl: 7 },
        { type: "decNwTtl" },
      ],
    });
    expect(wire.subarray(24).toString("hex")).toBe(
      [
        "000b000800000000",
        "000c000800000000",
        "000f000809000000",
        "0010000800000000",
        "0013000888470000",
        "0014000808000000",
        "001a000888e70000",
        "001b000800000000",
        "0017000807000000",
        "0018000800000000",
      ].join(""),
    );
  });
});
