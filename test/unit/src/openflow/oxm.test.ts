// OXM TLVs: the peer's order survives a decode and re-encode; experimenter-class fields split as the spec lays them out.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage, OFPBMC, OFPET, OXM_ORDER, type Match } from "../../../../src/openflow/index.js";
import { match as anyMatch } from "./arbitraries.js";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

/** A FLOW_REMOVED whose only variable part is the match: its OXMs start at byte 52. */
function flowRemovedWith(match: Match): Buffer {
  return encodeMessage({
    type: "flowRemoved",
    xid: 1,
    cookie: 0n,
    priority: 1,
    reason: 0,
    tableId: 0,
    durationSec: 0,
    durationNsec: 0,
    idleTimeout: 0,
    hardTimeout: 0,
    packetCount: 0n,
    byteCount: 0n,
    match,
  });
}
const OXMS_AT = 8 + 40 + 4;

/** The TLVs of the match in a FLOW_REMOVED built by flowRemovedWith. */
function oxmTlvs(wire: Buffer): Buffer[] {
  const end = OXMS_AT - 4 + wire.readUInt16BE(OXMS_AT - 2);
  const out: Buffer[] = [];
  for (let at = OXMS_AT; at < end; at += 4 + wire[at + 3]!) out.push(wire.subarray(at, at + 4 + wire[at + 3]!));
  return out;
}

/** The same message with its OXM TLVs in another order (lengths and padding unchanged). */
function withTlvs(wire: Buffer, tlvs: Buffer[]): Buffer {
  const out = Buffer.from(wire);
  Buffer.concat(tlvs).copy(out, OXMS_AT);
  return out;
}

const matchOf = (wire: Buffer): Match => {
  const m = decodeMessage(wire);
  if (m.type !== "flowRemoved") throw new Error(m.type);
  return m.match;
};

describe("OXM fields", () => {
  it("re-encodes a match in the order its OXMs came in, and that order does not change the named fields", () => {
    fc.assert(
      fc.property(
        anyMatch.filter((m) => Object.keys(m).length + (m.other?.length ?? 0) > 2),
        fc.infiniteStream(fc.nat()),
        (m, random) => {
          const ours = flowRemovedWith(m);
          const tlvs = oxmTlvs(ours);
          // Fisher-Yates with fast-check's randomness, so a failure shrinks and replays.
          for (let i = tlvs.length - 1; i > 0; i--) {
            const j = random.next().value % (i + 1);
            [tlvs[i], tlvs[j]] = [tlvs[j]!, tlvs[i]!];
          }
          const theirs = withTlvs(ours, tlvs);
          const decoded = matchOf(theirs);
          const { other, ...named } = matchOf(ours);
          // The named fields are the same; `other` lists the unnamed TLVs as they came, so only its order may differ.
          expect({ ...decoded, other: undefined }).toEqual(named);
          expect(decoded.other ?? []).toHaveLength(other?.length ?? 0);
          expect(decoded.other ?? []).toEqual(expect.arrayContaining(other ?? []));
          expect(flowRemovedWith(decoded).equals(theirs)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("records no order when the OXMs came in ours, so the common case stays a plain object", () => {
    const decoded = matchOf(flowRemovedWith({ inPort: 1, ethType: 0x800, ipv4Dst: "10.0.0.1" }));
    expect(decoded[OXM_ORDER]).toBeUndefined();
    expect(Object.getOwnPropertySymbols(decoded)).toEqual([]);
  });

  it("writes the fields a given order leaves out after it, in ours", () => {
    const m: Match = { ethType: 0x800, ipProto: 6, tcpDst: 80, inPort: 3 };
    Object.defineProperty(m, OXM_ORDER, { value: ["tcpDst", "ipProto"] });
    const fields = oxmTlvs(flowRemovedWith(m)).map((t) => (t.readUInt32BE(0) >>> 9) & 0x7f);
    expect(fields).toEqual([14, 10, 0, 5]); // tcp_dst, ip_proto as asked, then in_port, eth_type
  });

  it("splits a masked experimenter-class OXM into experimenter id, value and mask", () => {
    // class 0xffff, field 5, masked, length 4 + 2 + 2: experimenter 0x00002320, value 0x1234, mask 0xff00.
    const m = matchOf(withTlvs(flowRemovedWith({ other: [{ oxmClass: 0xffff, field: 5, hasMask: true, experimenter: 1, value: hex("0000"), mask: hex("0000") }] }), [hex("ffff0b08 00002320 1234 ff00")]));
    expect(m.other).toEqual([{ oxmClass: 0xffff, field: 5, hasMask: true, experimenter: 0x2320, value: hex("1234"), mask: hex("ff00") }]);
  });

  it("refuses a masked OXM whose value and mask cannot be the same size", () => {
    const wire = withTlvs(flowRemovedWith({ other: [{ oxmClass: 0xffff, field: 5, hasMask: true, experimenter: 1, value: hex("00"), mask: hex("0000") }] }), [
      hex("ffff0b07 00002320 12 ff00"),
    ]);
    expect(() => decodeMessage(wire)).toThrow(expect.objectContaining({ errType: OFPET.BAD_MATCH, code: OFPBMC.BAD_LEN }));
  });

  it("refuses a mask on a field the spec does not let a peer mask (ICMPv6 type)", () => {
    const wire = withTlvs(flowRemovedWith({ other: [{ oxmClass: 0x0001, field: 0, hasMask: false, value: hex("0000") }] }), [hex("80003b02 8700")]);
    expect(() => decodeMessage(wire)).toThrow(expect.objectContaining({ errType: OFPET.BAD_MATCH, code: OFPBMC.BAD_MASK }));
  });
});
