import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeMessage, MessageFramer, OfDecodeError, OFPBRC, OFPET } from "../../../../src/openflow/index.js";
import { anyMessage } from "./arbitraries.js";

/** Splits `buf` at the given cut points (any order, duplicates allowed). */
function chunk(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of [...points, buf.length]) {
    out.push(buf.subarray(from, p));
    from = p;
  }
  return out;
}

describe("MessageFramer", () => {
  it("yields the same message sequence however the stream is chunked", () => {
    fc.assert(
      fc.property(fc.array(anyMessage, { minLength: 1, maxLength: 10 }), fc.array(fc.nat(), { maxLength: 30 }), (msgs, cuts) => {
        const encoded = msgs.map(encodeMessage);
        const stream = Buffer.concat(encoded);
        const framer = new MessageFramer();
        const got: Buffer[] = [];
        for (const c of chunk(stream, cuts)) got.push(...framer.push(c));
        expect(got.map((b) => b.toString("hex"))).toEqual(encoded.map((b) => b.toString("hex")));
        expect(framer.buffered).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it("delivers a message byte by byte only when its last byte arrives", () => {
    const wire = encodeMessage({ type: "echoRequest", xid: 5, data: Buffer.from("ping") });
    const framer = new MessageFramer();
    for (let i = 0; i < wire.length - 1; i++) expect(framer.push(wire.subarray(i, i + 1))).toEqual([]);
    expect(framer.push(wire.subarray(wire.length - 1))).toEqual([wire]);
  });

  it("returns messages that do not alias later input", () => {
    const a = encodeMessage({ type: "barrierRequest", xid: 1 });
    const framer = new MessageFramer();
    framer.push(a.subarray(0, 5));
    const [msg] = framer.push(a.subarray(5));
    expect(msg!.equals(a)).toBe(true);
  });

  it("rejects a header length below 8 with a fatal BAD_REQUEST/BAD_LEN, then stays broken", () => {
    const framer = new MessageFramer();
    const bad = Buffer.from("0400000400000009", "hex");
    let err: unknown;
    try {
      framer.push(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OfDecodeError);
    expect(err).toMatchObject({ errType: OFPET.BAD_REQUEST, code: OFPBRC.BAD_LEN, fatal: true });
    expect((err as OfDecodeError).offending?.readUInt32BE(4)).toBe(9);
    expect(() => framer.push(encodeMessage({ type: "barrierRequest", xid: 2 }))).toThrow(OfDecodeError);
  });
});
