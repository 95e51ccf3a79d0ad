// Streams image files to the destination agent over HTTP, one PUT per file
// with its sha256; reports bytes and rate as it goes.
import type { Fetch } from "../../src/http/json-client.js";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { createGzip } from "node:zlib";
import { encodeBundle } from "./bundle.js";
import { Throttle } from "./throttle.js";
import { currentCorrelation, REQUEST_ID_HEADER } from "../../src/http/correlation.js";

/** What one sendFiles call moved. */
export interface SentFiles {
  files: number;
  bytes: number;
  ms: number;
}

export interface SendOptions {
  /** Destination URL prefix for files: `${base}/${name}`. */
  base: string;
  compress?: boolean;
  bandwidthBps?: number;
  onProgress?: (p: { bytes: number; totalBytes: number; rateBps: number; file: string }) => void;
  signal?: AbortSignal;
  /** Sent with every request (the migration's one-time token). */
  headers?: Record<string, string>;
  /** Test faults: flip one byte of the first file that is at least 64 KiB / cut after this fraction. */
  faults?: { corrupt?: boolean; cutAt?: number };
  /** The transport: HTTPS with the agent's certificate (src/http/tls-fetch.ts) when the agents speak TLS; the global fetch otherwise. */
  fetch?: Fetch;
}

export async function sendFiles(dir: string, names: string[], opts: SendOptions): Promise<SentFiles> {
  const fetch = opts.fetch ?? globalThis.fetch;
  const started = Date.now();
  // Errors name the peer the way src/clients does: "agent at http://10.0.0.2:7701".
  const peer = `agent at ${new URL(opts.base).origin}`;
  const broke = (name: string) => (err: Error) => {
    throw new Error(`transfer of ${name} to ${peer} broke: ${(err.cause as Error | undefined)?.message ?? err.message}`);
  };
  const sizes = await Promise.all(names.map(async (n) => (await stat(path.join(dir, n))).size));
  const totalBytes = sizes.reduce((s, n) => s + n, 0);
  if (!opts.compress && !opts.bandwidthBps && !opts.faults?.corrupt && opts.faults?.cutAt === undefined && sizes.every((n) => n <= WHOLE_FILE_MAX)) {
    const bundled = totalBytes <= BUNDLE_MAX ? await sendBundle(dir, names, totalBytes, started, peer, opts) : "no-route";
    if (bundled !== "no-route") return bundled;
    return sendWhole(dir, names, sizes, totalBytes, started, peer, opts);
  }
  let bytes = 0;
  let corrupted = false;
  for (const [i, name] of names.entries()) {
    // Hashed while it streams (no extra pass over the images while the workload is frozen);
    // the receiver hashes what arrives and keeps the file only if the two match (seal).
    const hash = createHash("sha256");
    let stream: Readable = createReadStream(path.join(dir, name), { highWaterMark: 1 << 20 });
    const throttle = new Throttle(opts.bandwidthBps, (n) => {
      bytes += n;
      const secs = Math.max(0.001, (Date.now() - started) / 1000);
      opts.onProgress?.({ bytes, totalBytes, rateBps: Math.round(bytes / secs), file: name });
    });
    stream = stream.pipe(new Tap((c) => hash.update(c))).pipe(throttle);
    if (opts.faults?.cutAt !== undefined) stream = stream.pipe(new CutAfter(Math.floor(totalBytes * opts.faults.cutAt), () => bytes));
    if (opts.faults?.corrupt && !corrupted && (sizes[i] ?? 0) >= 65536) {
      corrupted = true;
      stream = stream.pipe(new FlipFirstByte());
    }
    if (opts.compress) stream = stream.pipe(createGzip({ level: 1 }));
    const url = `${opts.base}/${encodeURIComponent(name)}`;
    const res = await fetch(url, {
      method: "PUT",
      headers: { "content-type": "application/octet-stream", "x-size": String(sizes[i]), ...(opts.compress ? { "x-encoding": "gzip" } : {}), ...correlated(), ...opts.headers },
      body: Readable.toWeb(stream) as ReadableStream,
      duplex: "half",
      signal: opts.signal,
    } as RequestInit).catch(broke(name));
    await expectOk(res, name, peer);
    const seal = await fetch(`${url}/seal`, {
      method: "POST",
      headers: { "content-type": "application/json", ...correlated(), ...opts.headers },
      body: JSON.stringify({ sha256: hash.digest("hex") }),
      signal: opts.signal,
    }).catch(broke(name));
    await expectOk(seal, name, peer);
  }
  return { files: names.length, bytes, ms: Date.now() - started };
}

/** Files up to this size go whole (see sendWhole), and image sets up to BUNDLE_MAX in one bundle. */
export const WHOLE_FILE_MAX = 16 << 20;
export const BUNDLE_MAX = 32 << 20;
const PARALLEL = 4;

/**
 * The fastest path: every file in one request (bundle.ts), POSTed to the files
 * URL itself. "no-route" when the receiver does not take bundles (an older
 * agent): the caller sends file by file.
 */
async function sendBundle(dir: string, names: string[], totalBytes: number, started: number, peer: string, opts: SendOptions): Promise<SentFiles | "no-route"> {
  const files = await Promise.all(names.map(async (name) => ({ name, data: await readFile(path.join(dir, name)) })));
  const res = await (opts.fetch ?? globalThis.fetch)(opts.base, {
    method: "POST",
    headers: { "content-type": "application/octet-stream", ...correlated(), ...opts.headers },
    body: encodeBundle(files),
    signal: opts.signal,
  }).catch((err: Error) => {
    throw new Error(`transfer of ${names.length} image files to ${peer} broke: ${(err.cause as Error | undefined)?.message ?? err.message}`);
  });
  if (res.status === 404) {
    await res.arrayBuffer().catch(() => undefined);
    return "no-route";
  }
  await expectOk(res, `the bundle of ${names.length} files`, peer);
  opts.onProgress?.({ bytes: totalBytes, totalBytes, rateBps: Math.round(totalBytes / Math.max(0.001, (Date.now() - started) / 1000)), file: names[names.length - 1] ?? "" });
  return { files: names.length, bytes: totalBytes, ms: Date.now() - started };
}

/**
 * The fast path for small image sets (post-copy's reduced images): each file
 * read whole, hashed, and sent in ONE request with its sha256 up front
 * (x-sha256), a few at once. A streamed body costs a chunked upload plus a
 * seal request per file, and its small last chunk can wait out a delayed ACK:
 * tens of ms per file while the workload is frozen.
 */
async function sendWhole(dir: string, names: string[], sizes: number[], totalBytes: number, started: number, peer: string, opts: SendOptions): Promise<SentFiles> {
  let bytes = 0;
  let next = 0;
  const one = async (name: string, size: number) => {
    const body = await readFile(path.join(dir, name));
    const sha256 = createHash("sha256").update(body).digest("hex");
    const res = await (opts.fetch ?? globalThis.fetch)(`${opts.base}/${encodeURIComponent(name)}`, {
      method: "PUT",
      headers: { "content-type": "application/octet-stream", "x-size": String(size), "x-sha256": sha256, ...correlated(), ...opts.headers },
      body,
      signal: opts.signal,
    }).catch((err: Error) => {
      throw new Error(`transfer of ${name} to ${peer} broke: ${(err.cause as Error | undefined)?.message ?? err.message}`);
    });
    await expectOk(res, name, peer);
    bytes += body.length;
    const secs = Math.max(0.001, (Date.now() - started) / 1000);
    opts.onProgress?.({ bytes, totalBytes, rateBps: Math.round(bytes / secs), file: name });
  };
  const worker = async () => {
    while (next < names.length) {
      const i = next++;
      await one(names[i]!, sizes[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, names.length) }, worker));
  return { files: names.length, bytes, ms: Date.now() - started };
}

async function expectOk(res: Response, name: string, peer: string): Promise<void> {
  if (res.ok) {
    await res.arrayBuffer();
    return;
  }
  const body = (await res.json().catch(() => ({}))) as { message?: string };
  throw new Error(`${peer} refused ${name}: ${body.message ?? res.status}`);
}

/** Passes chunks through, showing each to `see`. */
class Tap extends Transform {
  constructor(private readonly see: (chunk: Buffer) => void) {
    super();
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, done: TransformCallback): void {
    this.see(chunk);
    done(null, chunk);
  }
}

/** Fault injection: errors the stream once `total()` passes `limit` bytes (a cut connection). */
class CutAfter extends Transform {
  constructor(
    private readonly limit: number,
    private readonly total: () => number,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, done: TransformCallback): void {
    if (this.total() > this.limit) done(new Error("connection cut (fault injection)"));
    else done(null, chunk);
  }
}

/** Fault injection: flips the first byte of the stream (a corrupted chunk). */
class FlipFirstByte extends Transform {
  private flipped = false;
  override _transform(chunk: Buffer, _e: BufferEncoding, done: TransformCallback): void {
    if (!this.flipped && chunk.length > 0) {
      chunk = Buffer.from(chunk);
      chunk[0] = (chunk[0] ?? 0) ^ 0xff;
      this.flipped = true;
    }
    done(null, chunk);
  }
}

/** The running migration's correlation id as a header (the receiver logs its requests under it), if any. */
function correlated(): Record<string, string> {
  const id = currentCorrelation();
  return id === undefined ? {} : { [REQUEST_ID_HEADER]: id };
}
