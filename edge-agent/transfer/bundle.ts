// Codec of an image bundle: several small files in one request body, each
// with its sha256, so a migration's reduced images reach the destination in
// one round trip instead of one (or two) per file. Pure.
//
// Frame per file: u16 LE name length, name (UTF-8), u32 LE size, 32 bytes
// sha256 of the data, data.
import { createHash } from "node:crypto";
import { isSafeName } from "./manifest.js";

export interface BundleFile {
  name: string;
  data: Buffer;
}

export class BundleError extends Error {}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest();

export function encodeBundle(files: BundleFile[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) {
    const name = Buffer.from(f.name, "utf8");
    const head = Buffer.alloc(2 + name.length + 4);
    head.writeUInt16LE(name.length, 0);
    name.copy(head, 2);
    head.writeUInt32LE(f.data.length, 2 + name.length);
    parts.push(head, sha256(f.data), f.data);
  }
  return Buffer.concat(parts);
}

/** Splits a bundle and checks every file's name and sha256; throws BundleError on anything wrong. */
export function decodeBundle(buf: Buffer): BundleFile[] {
  const out: BundleFile[] = [];
  let off = 0;
  const need = (n: number, what: string) => {
    if (off + n > buf.length) throw new BundleError(`bundle ends inside ${what} (offset ${off})`);
  };
  while (off < buf.length) {
    need(2, "a name length");
    const nameLen = buf.readUInt16LE(off);
    off += 2;
    need(nameLen + 4 + 32, "a file header");
    const name = buf.toString("utf8", off, off + nameLen);
    off += nameLen;
    if (!isSafeName(name)) throw new BundleError(`bad file name ${JSON.stringify(name)} in bundle`);
    const size = buf.readUInt32LE(off);
    off += 4;
    const expected = buf.subarray(off, off + 32);
    off += 32;
    need(size, `${name}'s data`);
    const data = buf.subarray(off, off + size);
    off += size;
    if (!sha256(data).equals(expected)) throw new BundleError(`sha256 mismatch for ${name} in bundle`);
    if (out.some((f) => f.name === name)) throw new BundleError(`${name} twice in bundle`);
    out.push({ name, data });
  }
  return out;
}
