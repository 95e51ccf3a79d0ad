// Random and mutated bytes into framer + decoder: only OfDecodeError may escape, and every call terminates.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeMessage,
  encodeMessage,
  errorFor,
  MessageFramer,
  OfDecodeError,
  OFP_VERSION,
  OFPBRC,
  OFPET,
  OFPFMFC,
} from "../../../../src/openflow/index.js";
import { anyMessage } from "./arbitraries.js";

/** Feeds bytes the way a connection handler would; returns decoded and rejected counts. */
function feed(chunks: Buffer[]): { decoded: number; rejected: number } {
  const framer = new MessageFramer();
  let decoded = 0;
  let rejected = 0;
  for (const c of chunks) {
    let frames: Buffer[];
    try {
      frames = framer.push(c);
    } catch (e) {
      if (!(e instanceof OfDecodeError)) throw e;
      expect(e.fatal).toBe(true);
      return { decoded, rejected: rejected + 1 }; // the connection would close here
    }
    for (const f of frames) {
      try {
        decodeMessage(f);
        decoded++;
      } catch (e) {
        if (!(e instanceof OfDecodeError)) throw e;
        const reply = encodeMessage(errorFor(e, f));
        expect(reply.length).toBeLessThanOrEqual(12 + 64);
        rejected++;
      }
    }
  }
  return { decoded, rejected };
}

describe("OpenFlow fuzzing", () => {
  it("random byte streams only ever raise OfDecodeError", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 6 }), (arrays) => {
        feed(arrays.map((a) => Buffer.from(a)));
      }),
      { numRuns: 2000 },
    );
  });

  it("random bodies behind a valid 1.3 header only ever raise OfDecodeError", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 0xffffffff }), fc.uint8Array({ maxLength: 400 }), (type, xid, body) => {
        const msg = Buffer.alloc(8 + body.length);
        msg[0] = OFP_VERSION;
        msg[1] = type;
        msg.writeUInt16BE(msg.length, 2);
        msg.writeUInt32BE(xid, 4);
        msg.set(body, 8);
        feed([msg]);
      }),
      { numRuns: 3000 },
    );
  });

  it("random bodies behind every multipart type, request and reply, only ever raise OfDecodeError", () => {
    const mpTypes = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 0xffff];
    fc.assert(
      fc.property(fc.constantFrom(18, 19), fc.constantFrom(...mpTypes), fc.uint8Array({ maxLength: 400 }), (type, mpType, body) => {
        const msg = Buffer.alloc(16 + body.length);
        msg[0] = OFP_VERSION;
        msg[1] = type;
        msg.writeUInt16BE(msg.length, 2);
        msg.writeUInt16BE(mpType, 8);
        msg.set(body, 16);
        feed([msg]);
      }),
      { numRuns: 3000 },
    );
  });

  it("valid messages with flipped bytes or a cut body only ever raise OfDecodeError", () => {
    fc.assert(
      fc.property(anyMessage, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(), (m, flips, cut) => {
        const wire = Buffer.from(encodeMessage(m));
        for (const [at, value] of flips) if (wire.length > 8) wire[8 + (at % (wire.length - 8))] = value;
        // Truncate the body but keep the header length consistent, as a buggy peer would.
        const len = 8 + (cut % (wire.length - 7));
        const cutWire = Buffer.from(wire.subarray(0, len));
        cutWire.writeUInt16BE(len, 2);
        feed([wire, cutWire]);
      }),
      { numRuns: 2000 },
    );
  });

  it("answers a FLOW_MOD with an unknown command with FLOW_MOD_FAILED/BAD_COMMAND carrying 64 bytes and the xid", () => {
    const wire = Buffer.from(
      encodeMessage({ type: "flowMod", xid: 77, command: "add", match: { ethType: 0x800, ipv4Dst: "10.1.2.3" }, instructions: [] }),
    );
    wire[8 + 17] = 9; // command byte
    let err: unknown;
    try {
      decodeMessage(wire);
    } catch (e) {
      err = e;
    }
    const reply = errorFor(err, wire);
    expect(reply).toMatchObject({ type: "error", xid: 77, errType: OFPET.FLOW_MOD_FAILED, code: OFPFMFC.BAD_COMMAND });
    expect(reply.data.equals(wire.subarray(0, 64))).toBe(true);
  });

  it("answers an unknown message type with BAD_REQUEST/BAD_TYPE and a wrong version with BAD_VERSION", () => {
    expect(() => decodeMessage(Buffer.from("0463000800000001", "hex"))).toThrow(
      expect.objectContaining({ errType: OFPET.BAD_REQUEST, code: OFPBRC.BAD_TYPE }),
    );
    expect(() => decodeMessage(Buffer.from("0114000800000001", "hex"))).toThrow(
      expect.objectContaining({ errType: OFPET.BAD_REQUEST, code: OFPBRC.BAD_VERSION }),
    );
    // Any version may say HELLO: that is how versions get negotiated.
    expect(decodeMessage(Buffer.from("0100000800000001", "hex"))).toEqual({ type: "hello", xid: 1, version: 1 });
  });

  it("rejects trailing bytes after a fixed-size message with BAD_LEN", () => {
    expect(() => decodeMessage(Buffer.from("04140009000000010a", "hex"))).toThrow(
      expect.objectContaining({ errType: OFPET.BAD_REQUEST, code: OFPBRC.BAD_LEN }),
    );
  });
});
