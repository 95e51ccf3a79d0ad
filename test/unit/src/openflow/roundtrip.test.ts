import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage, encodeMessages, OFP_VERSION } from "../../../../src/openflow/index.js";
import { messageByType } from "./arbitraries.js";

describe("OpenFlow codec round trip (fast-check)", () => {
  for (const [type, arb] of Object.entries(messageByType)) {
    it(`decode(encode(m)) equals m for random ${type} messages`, () => {
      fc.assert(
        fc.property(arb, (m) => {
          const wire = encodeMessage(m);
          expect(wire.readUInt16BE(2)).toBe(wire.length);
          if (m.type !== "hello") expect(wire[0]).toBe(OFP_VERSION);
          expect(decodeMessage(wire)).toEqual(m);
          // Re-encoding the decoded message reproduces the same bytes.
          expect(encodeMessage(decodeMessage(wire)).equals(wire)).toBe(true);
        }),
        { numRuns: 300 },
      );
    });
  }

  it("encodeMessages concatenates the single encodings", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(...Object.values(messageByType)), { maxLength: 8 }), (ms) => {
        expect(encodeMessages(ms).equals(Buffer.concat(ms.map(encodeMessage)))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it("fills FLOW_MOD defaults the way the spec asks", () => {
    const m = decodeMessage(encodeMessage({ type: "flowMod", xid: 9, command: "add" }));
    expect(m).toMatchObject({
      priority: 0x8000,
      bufferId: 0xffffffff,
      outPort: 0xffffffff,
      outGroup: 0xffffffff,
      cookie: 0n,
      tableId: 0,
      match: {},
      instructions: [],
    });
  });

  it("pads matches and set_field actions to 8 bytes", () => {
    const wire = encodeMessage({
      type: "flowMod",
      xid: 1,
      command: "add",
      match: { ethType: 0x800 }, // 4 + 6 bytes: 6 bytes of padding
      instructions: [{ type: "applyActions", actions: [{ type: "setField", field: { ipDscp: 10 } }] }],
    });
    expect(wire.readUInt16BE(50)).toBe(10); // ofp_match.length excludes padding
    expect((wire.length - 48) % 8).toBe(0);
    const actionLen = wire.readUInt16BE(48 + 16 + 8 + 2);
    expect(actionLen).toBe(16);
  });

  it("refuses to encode a setField with zero or two fields", () => {
    expect(() =>
      encodeMessage({ type: "packetOut", xid: 1, actions: [{ type: "setField", field: { ipDscp: 1, tcpDst: 2 } }] }),
    ).toThrow(TypeError);
    expect(() => encodeMessage({ type: "packetOut", xid: 1, actions: [{ type: "setField", field: {} }] })).toThrow(TypeError);
  });

  it("refuses malformed addresses instead of writing garbage", () => {
    expect(() => encodeMessage({ type: "flowMod", xid: 1, command: "add", match: { ipv4Dst: "10.0.0.300" } })).toThrow(TypeError);
    expect(() => encodeMessage({ type: "flowMod", xid: 1, command: "add", match: { ethDst: "aa:bb" } })).toThrow(TypeError);
  });
});
