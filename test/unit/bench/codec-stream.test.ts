// The codec bench's mixed stream (bench/codec-stream.ts): every message family of the codec's table and every
// multipart body kind, each decoding back to itself byte for byte, so the throughput figures time real work.
import { describe, expect, it } from "vitest";
import { codecSamples } from "../../../bench/codec-stream.js";
import { MESSAGES } from "../../../src/openflow/message-table.js";
import { decodeMessage, encodeMessage, MessageStream } from "../../../src/openflow/index.js";

describe("codec bench stream", () => {
  const samples = codecSamples();

  it("holds every message family and every multipart kind both ways", () => {
    const families = new Set(samples.map((s) => s.msg.type));
    expect([...families].sort()).toEqual(Object.keys(MESSAGES).sort());
    const kinds = (type: string) => samples.filter((s) => s.msg.type === type).map((s) => s.family.split("/")[1]);
    expect(kinds("multipartRequest")).toEqual(kinds("multipartReply"));
    expect(kinds("multipartRequest")).toContain("tableFeatures");
  });

  it("re-encodes every sample to the same bytes, and decodes the concatenated stream whole", () => {
    const wires = samples.map((s) => Buffer.from(encodeMessage(s.msg)));
    for (const [i, wire] of wires.entries()) expect(encodeMessage(decodeMessage(wire)).equals(wire), samples[i]!.family).toBe(true);
    const batch = new MessageStream().push(Buffer.concat(wires));
    expect(batch.messages).toHaveLength(samples.length);
    expect(batch.problems).toHaveLength(0);
  });
});
