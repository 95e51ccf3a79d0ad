// HELLO with hello elements; we read and write the OFPHET_VERSIONBITMAP element and skip others (spec 7.5.1).
import { OFPHET_VERSIONBITMAP } from "./constants.js";
import type { Hello } from "./messages.js";
import { Reader, type Writer } from "./wire.js";

export function encodeHelloBody(w: Writer, m: Hello): void {
  if (!m.versions) return;
  const start = w.pos;
  const max = m.versions.reduce((a, b) => Math.max(a, b), -1);
  const words = new Uint32Array(max < 0 ? 0 : (max >> 5) + 1);
  for (const v of m.versions) {
    if (!Number.isInteger(v) || v < 0 || v > 0x7fff) throw new RangeError(`bad version ${v}`);
    words[v >> 5]! |= 1 << (v & 31);
  }
  w.u16(OFPHET_VERSIONBITMAP);
  w.u16(4 + words.length * 4);
  for (const word of words) w.u32(word);
  w.padTo(start, 8);
}

export function decodeHelloBody(r: Reader, xid: number, version: number): Hello {
  const hello: Hello = { type: "hello", xid, version };
  while (r.remaining >= 4) {
    const type = r.u16();
    const len = r.u16();
    if (len < 4) break; // A broken element: ignore the rest, negotiation falls back to the header version.
    const bodyLen = Math.min(len - 4, r.remaining);
    const body = new Reader(r.buf, r.pos, r.pos + bodyLen, r.lenError);
    r.skip(Math.min(((len + 7) & ~7) - 4, r.remaining));
    if (type !== OFPHET_VERSIONBITMAP) continue;
    const versions: number[] = [];
    for (let word = 0; body.remaining >= 4; word++) {
      const bits = body.u32();
      for (let bit = 0; bit < 32; bit++) if (bits & (1 << bit)) versions.push(word * 32 + bit);
    }
    hello.versions = versions;
  }
  return hello;
}

/** The version both sides speak, or undefined when there is none (then: HELLO_FAILED/INCOMPATIBLE and close). */
export function negotiateVersion(ours: readonly number[], peer: Hello): number | undefined {
  const theirs = peer.versions ?? Array.from({ length: (peer.version ?? 0) + 1 }, (_, i) => i);
  const common = ours.filter((v) => theirs.includes(v));
  return common.length ? Math.max(...common) : undefined;
}
