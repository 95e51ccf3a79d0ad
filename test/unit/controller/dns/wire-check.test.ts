// The bounded wire check that runs before dns2 parses: hostile counts,
// pointer loops, oversize labels and names, trailing bytes, bad EDNS options.
import dns2 from "dns2";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkMessage } from "../../../../controller/dns/wire-check.js";

const { Packet } = dns2;

function query(name = "web.svc.fleximigrate.local", type = 1): Buffer {
  const q = new Packet();
  q.header.id = 7;
  q.questions.push({ name, type, class: 1 } as InstanceType<typeof Packet.Question>);
  return q.toBuffer();
}

/** A header with all four section counts at 65535 and 34 bytes of nothing: the datagram that froze dns2. */
function countBomb(): Buffer {
  const b = Buffer.alloc(46);
  b.writeUInt16BE(0x1234, 0);
  for (const at of [4, 6, 8, 10]) b.writeUInt16BE(0xffff, at);
  return b;
}

/** Header (qdcount 1) + a question whose name is `name` bytes, then type and class. */
function withName(name: number[]): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(1, 4);
  return Buffer.concat([h, Buffer.from(name), Buffer.from([0, 1, 0, 1])]);
}

describe("checkMessage", () => {
  it("passes what dns2 itself encodes", () => {
    expect(checkMessage(query())).toMatchObject({ ok: true, header: { id: 7, qdcount: 1, qr: 0 } });
  });

  it("refuses a header that declares more records than its bytes hold, keeping the header for FORMERR", () => {
    const r = checkMessage(countBomb());
    expect(r.ok).toBe(false);
    expect(r).toMatchObject({ header: { id: 0x1234, qdcount: 65535 } });
    expect(!r.ok && r.reason).toMatch(/question 2|past the message/);
  });

  it("refuses runts without a header", () => {
    const r = checkMessage(Buffer.alloc(11));
    expect(r.ok).toBe(false);
    expect(r.header).toBeUndefined();
  });

  it("refuses compression pointers that loop or point forward", () => {
    // A pointer to itself at offset 12.
    expect(checkMessage(withName([0xc0, 12])).ok).toBe(false);
    // A label, then a pointer back to that label: a loop through a backward pointer.
    const loop = withName([1, 0x61, 0xc0, 12]);
    expect(checkMessage(loop)).toMatchObject({ ok: false, reason: expect.stringMatching(/backwards/) });
    // A pointer past the end.
    expect(checkMessage(withName([0xc0, 0xff])).ok).toBe(false);
  });

  it("follows a legitimate backward pointer", () => {
    // Question 1: "a" at offset 12; question 2: "b" + pointer to offset 12.
    const h = Buffer.alloc(12);
    h.writeUInt16BE(2, 4);
    const msg = Buffer.concat([h, Buffer.from([1, 0x61, 0, 0, 1, 0, 1, 1, 0x62, 0xc0, 12, 0, 1, 0, 1])]);
    expect(checkMessage(msg).ok).toBe(true);
    expect(Packet.parse(msg).questions.map((q) => q.name)).toEqual(["a", "b.a"]);
  });

  it("refuses labels over 63 bytes, names over 255, reserved label types and trailing bytes", () => {
    expect(checkMessage(withName([64, ...Array(64).fill(0x61), 0])).ok).toBe(false);
    const long = Array.from({ length: 5 }, () => [60, ...Array(60).fill(0x61)]).flat();
    expect(checkMessage(withName([...long, 0])).ok).toBe(false);
    expect(checkMessage(withName([0x40, 0])).ok).toBe(false);
    expect(checkMessage(Buffer.concat([query(), Buffer.from([0])]))).toMatchObject({ ok: false, reason: expect.stringMatching(/after the last/) });
  });

  it("checks EDNS options fill the OPT record exactly", () => {
    const q = new Packet();
    q.questions.push({ name: "web", type: 1, class: 1 } as InstanceType<typeof Packet.Question>);
    const good = Buffer.concat([q.toBuffer(), Buffer.from([0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0])]);
    good.writeUInt16BE(1, 10); // arcount
    expect(checkMessage(good).ok).toBe(true);
    // One option claiming 200 bytes inside a 4-byte rdata.
    const bad = Buffer.concat([q.toBuffer(), Buffer.from([0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 4, 0, 8, 0, 200])]);
    bad.writeUInt16BE(1, 10);
    expect(checkMessage(bad)).toMatchObject({ ok: false, reason: expect.stringMatching(/OPT/) });
  });

  it("on any bytes: ends, and what passes parses in dns2 to exactly the declared records", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.boolean(), (raw, small) => {
        const b = Buffer.from(raw);
        // Half the cases get small counts so that some random messages pass the check.
        if (small && b.length >= 12) for (const at of [4, 6, 8, 10]) b.writeUInt16BE(b[at + 1]! % 3, at);
        const r = checkMessage(b);
        if (!r.ok) return;
        const p = Packet.parse(b);
        const declared = r.header.qdcount + r.header.ancount + r.header.nscount + r.header.arcount;
        expect(p.questions.length + p.answers.length + p.authorities.length + p.additionals.length).toBe(declared);
      }),
      { numRuns: 3000, seed: 20261201 },
    );
  });
});
