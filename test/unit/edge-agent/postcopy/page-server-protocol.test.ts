import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeHeader,
  detectLayout,
  encodeCloseStatus,
  encodeHeader,
  HEADER_BYTES,
  HeaderReader,
  layoutForVersion,
  PS_IOV_CLOSE,
  PS_IOV_GET,
  PS_REPLY_PAGES,
  psCommand,
  psFlags,
} from "../../../../edge-agent/postcopy/page-server-protocol.js";

const get = (nrPages: number, vaddr: number, dstId = 1) => ({ cmd: PS_IOV_GET, nrPages, vaddr, dstId });

describe("page_server_iov layouts", () => {
  it("are 24 bytes in 4.1 and 32 in 4.2, little-endian", () => {
    const a = encodeHeader(get(3, 0x7f0000001000, 42), "4.1");
    expect(a.length).toBe(24);
    expect(a.readUInt32LE(4)).toBe(3);
    expect(a.readBigUInt64LE(8)).toBe(0x7f0000001000n);
    const b = encodeHeader(get(3, 0x7f0000001000, 42), "4.2");
    expect(b.length).toBe(32);
    expect(b.readUInt32LE(4)).toBe(0);
    expect(b.readBigUInt64LE(8)).toBe(3n);
    expect(b.readBigUInt64LE(24)).toBe(42n);
  });

  it("round-trip in both layouts", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("4.1" as const, "4.2" as const),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 0, max: 2 ** 35 }).map((p) => p * 4096),
        fc.integer({ min: 0, max: 2 ** 22 }),
        (layout, cmd, nrPages, vaddr, dstId) => {
          expect(decodeHeader(encodeHeader({ cmd, nrPages, vaddr, dstId }, layout), layout)).toEqual({ cmd, nrPages, vaddr, dstId });
        },
      ),
    );
  });

  it("the GET reply says ADD_F with PE_PRESENT", () => {
    expect(PS_REPLY_PAGES).toBe(0x40006);
    expect(psCommand(PS_REPLY_PAGES)).toBe(6);
    expect(psFlags(PS_REPLY_PAGES)).toBe(4);
  });

  it("CLOSE is answered with a 4-byte zero status", () => {
    expect([...encodeCloseStatus(0)]).toEqual([0, 0, 0, 0]);
  });
});

describe("layout detection", () => {
  it("tells any GET of 4.1 from one of 4.2", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1024 }),
        fc.integer({ min: 1, max: 2 ** 35 }).map((p) => p * 4096),
        fc.integer({ min: 1, max: 4 * 1024 * 1024 }),
        (nr, vaddr, pid) => {
          expect(detectLayout(encodeHeader(get(nr, vaddr, pid), "4.1"))).toBe("4.1");
          expect(detectLayout(encodeHeader(get(nr, vaddr, pid), "4.2"))).toBe("4.2");
          // C does not promise zeroed padding: a 4.2 header with junk after cmd still reads as 4.2.
          const junk = encodeHeader(get(nr, vaddr, pid), "4.2");
          junk.writeUInt32LE(0xdeadbeef, 4);
          expect(detectLayout(junk)).toBe("4.2");
        },
      ),
    );
  });

  it("reads an all-zero CLOSE as 4.1, the shorter header", () => {
    expect(detectLayout(encodeHeader({ cmd: PS_IOV_CLOSE, nrPages: 0, vaddr: 0, dstId: 0 }, "4.2"))).toBe("4.1");
  });

  it("maps CRIU versions to layouts", () => {
    expect(layoutForVersion("4.1.1")).toBe("4.1");
    expect(layoutForVersion("3.17.1")).toBe("4.1");
    expect(layoutForVersion("4.2")).toBe("4.2");
    expect(layoutForVersion("5.0")).toBe("4.2");
    expect(() => layoutForVersion("dev")).toThrow(/version/);
  });
});

describe("HeaderReader", () => {
  it("splits a stream cut at arbitrary points, detecting the layout once", () => {
    for (const layout of ["4.1", "4.2"] as const) {
      const msgs = [get(1, 0x1000), get(16, 0x200000, 7), get(1024, 0x7fff00000000, 9)];
      const stream = Buffer.concat(msgs.map((m) => encodeHeader(m, layout)));
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: stream.length }), { maxLength: 6 }), (cuts) => {
          const reader = new HeaderReader("auto");
          const points = [...new Set(cuts)].sort((a, b) => a - b);
          let at = 0;
          const out = [];
          for (const p of [...points, stream.length]) {
            out.push(...reader.push(stream.subarray(at, p)));
            at = p;
          }
          expect(out).toEqual(msgs);
          expect(reader.detected).toBe(layout);
          expect(stream.length).toBe(msgs.length * HEADER_BYTES[layout]);
        }),
      );
    }
  });
});
