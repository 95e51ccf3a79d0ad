// Streams image files to the destination agent over HTTP, one PUT per file
// with its sha256; reports bytes and rate as it goes.
import { createReadStream } from "node:fs";
import path from "node:path";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { createGzip } from "node:zlib";
import type { SentFiles } from "../migration/strategy.js";
import { describeFiles } from "./manifest.js";
import { Throttle } from "./throttle.js";

export interface SendOptions {
  /** Destination URL prefix for files: `${base}/${name}`. */
  base: string;
  compress?: boolean;
  bandwidthBps?: number;
  onProgress?: (p: { bytes: number; totalBytes: number; rateBps: number; file: string }) => void;
  signal?: AbortSignal;
  /** Test faults: flip one byte of the first file that is at least 64 KiB / cut after this fraction. */
  faults?: { corrupt?: boolean; cutAt?: number };
}

export async function sendFiles(dir: string, names: string[], opts: SendOptions): Promise<SentFiles> {
  const started = Date.now();
  const entries = await describeFiles(dir, names);
  const totalBytes = entries.reduce((s, e) => s + e.size, 0);
  let bytes = 0;
  let corrupted = false;
  for (const entry of entries) {
    let stream: Readable = createReadStream(path.join(dir, entry.name));
    const throttle = new Throttle(opts.bandwidthBps, (n) => {
      bytes += n;
      const secs = Math.max(0.001, (Date.now() - started) / 1000);
      opts.onProgress?.({ bytes, totalBytes, rateBps: Math.round(bytes / secs), file: entry.name });
    });
    stream = stream.pipe(throttle);
    if (opts.faults?.cutAt !== undefined) stream = stream.pipe(new CutAfter(Math.floor(totalBytes * opts.faults.cutAt), () => bytes));
    if (opts.faults?.corrupt && !corrupted && entry.size >= 65536) {
      corrupted = true;
      stream = stream.pipe(new FlipFirstByte());
    }
    if (opts.compress) stream = stream.pipe(createGzip({ level: 1 }));
    const res = await fetch(`${opts.base}/${encodeURIComponent(entry.name)}`, {
      method: "PUT",
      headers: {
        "content-type": "application/octet-stream",
        "x-sha256": entry.sha256,
        "x-size": String(entry.size),
        ...(opts.compress ? { "x-encoding": "gzip" } : {}),
      },
      body: Readable.toWeb(stream) as ReadableStream,
      duplex: "half",
      signal: opts.signal,
    } as RequestInit).catch((err: Error) => {
      throw new Error(`transfer of ${entry.name} broke: ${(err.cause as Error | undefined)?.message ?? err.message}`);
    });
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { message?: string };
      throw new Error(`destination refused ${entry.name}: ${body.message ?? res.status}`);
    }
  }
  return { files: entries.length, bytes, ms: Date.now() - started };
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
