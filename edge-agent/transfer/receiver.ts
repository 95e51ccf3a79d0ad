// Writes one incoming image file: (gunzip), hash while writing to a temp
// name, rename only when the sha256 matches the sender's.
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { type Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { BundleError, decodeBundle } from "./bundle.js";

export class ChecksumError extends Error {}

/** Writes `NAME.part`, hashing as it goes; `sealFile` later renames it if the sender's hash matches. */
export async function receivePart(body: Readable, dir: string, name: string, gzip: boolean): Promise<{ sha256: string; size: number }> {
  const tmp = path.join(dir, `${name}.part`);
  const hash = createHash("sha256");
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _e: BufferEncoding, done: TransformCallback) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  try {
    if (gzip) await pipeline(body, createGunzip(), tap, createWriteStream(tmp));
    else await pipeline(body, tap, createWriteStream(tmp));
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return { sha256: hash.digest("hex"), size };
}

/** Keeps `NAME.part` as NAME only when `got` (hashed on arrival) equals the sender's `expected`. */
export async function sealFile(dir: string, name: string, expected: string, got: string | undefined): Promise<void> {
  const tmp = path.join(dir, `${name}.part`);
  if (got === undefined) throw new ChecksumError(`${name} was not received`);
  if (got !== expected) {
    await rm(tmp, { force: true });
    throw new ChecksumError(`sha256 mismatch for ${name}: expected ${expected}, got ${got}`);
  }
  await rename(tmp, path.join(dir, name));
}

/** Receives and seals in one step, for a sender that gives its sha256 up front (`x-sha256`). */
export async function receiveFile(body: Readable, dir: string, name: string, expected: string, gzip: boolean): Promise<number> {
  const { sha256, size } = await receivePart(body, dir, name, gzip);
  await sealFile(dir, name, expected, sha256);
  return size;
}

/** Reads a whole bundle (at most maxBytes), checks it, then writes its files: all of them or none. */
export async function receiveBundle(body: Readable, dir: string, maxBytes: number): Promise<Array<{ name: string; size: number }>> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += (chunk as Buffer).length;
    if (total > maxBytes) throw new BundleError(`bundle larger than ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  const files = decodeBundle(Buffer.concat(chunks));
  await Promise.all(files.map((f) => writeFile(path.join(dir, f.name), f.data)));
  return files.map((f) => ({ name: f.name, size: f.data.length }));
}
