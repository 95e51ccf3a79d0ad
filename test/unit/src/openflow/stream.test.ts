import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeMessage, MessageStream, negotiateVersion, OFPBRC, OFPET, OFPFMFC } from "../../../../src/openflow/index.js";
import { anyMessage } from "./arbitraries.js";

describe("MessageStream", () => {
  it("answers a bad message with an ERROR and keeps decoding the rest of the stream", () => {
    const good1 = encodeMessage({ type: "echoRequest", xid: 1, data: Buffer.from("a") });
    const bad = Buffer.from(encodeMessage({ type: "flowMod", xid: 2, command: "add" }));
    bad[8 + 17] = 42; // unknown flow-mod command
    const good2 = encodeMessage({ type: "barrierRequest", xid: 3 });
    const stream = new MessageStream();
    const batch = stream.push(Buffer.concat([good1, bad, good2]));
    expect(batch.messages.map((m) => m.xid)).toEqual([1, 3]);
    expect(batch.replies).toEqual([
      { type: "error", xid: 2, errType: OFPET.FLOW_MOD_FAILED, code: OFPFMFC.BAD_COMMAND, data: bad.subarray(0, 64) },
    ]);
    expect(batch.problems).toHaveLength(1);
    expect(batch.close).toBe(false);
    expect(stream.push(encodeMessage({ type: "barrierRequest", xid: 4 })).messages).toEqual([{ type: "barrierRequest", xid: 4 }]);
  });

  it("delivers the messages before broken framing, then asks to close", () => {
    const good = encodeMessage({ type: "barrierRequest", xid: 7 });
    const batch = new MessageStream().push(Buffer.concat([good, Buffer.from("0414000300000008", "hex")]));
    expect(batch.messages).toEqual([{ type: "barrierRequest", xid: 7 }]);
    expect(batch.replies).toMatchObject([{ type: "error", xid: 8, errType: OFPET.BAD_REQUEST, code: OFPBRC.BAD_LEN }]);
    expect(batch.close).toBe(true);
  });

  it("never throws on random input, and every reply has a problem beside it", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.uint8Array({ maxLength: 200 }), anyMessage.map(encodeMessage)), { maxLength: 8 }), (chunks) => {
        const stream = new MessageStream();
        for (const c of chunks) {
          const batch = stream.push(Buffer.from(c));
          expect(batch.replies.length).toBe(batch.problems.length);
          if (batch.close) break;
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe("negotiateVersion", () => {
  it("picks the highest common version from the bitmap, or from the header version without one", () => {
    expect(negotiateVersion([4], { type: "hello", xid: 1, version: 6, versions: [1, 4, 6] })).toBe(4);
    expect(negotiateVersion([4], { type: "hello", xid: 1, version: 6, versions: [1, 5, 6] })).toBeUndefined();
    expect(negotiateVersion([4], { type: "hello", xid: 1, version: 5 })).toBe(4);
    expect(negotiateVersion([4], { type: "hello", xid: 1, version: 1 })).toBeUndefined();
  });
});
