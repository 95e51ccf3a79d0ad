// Sender and receiver over a real local HTTP server (loopback, port 0).
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isSafeName } from "../../../../edge-agent/transfer/manifest.js";
import { ChecksumError, receiveBundle, receiveFile, receivePart, sealFile } from "../../../../edge-agent/transfer/receiver.js";
import { sendFiles } from "../../../../edge-agent/transfer/sender.js";
import { throttleDelayMs } from "../../../../edge-agent/transfer/throttle.js";
import { waitFor } from "../../../helpers/wait.js";

let app: FastifyInstance;
let base = "";
const srcDir = mkdtempSync("/tmp/fma-unit-src-");
const dstDir = mkdtempSync("/tmp/fma-unit-dst-");
const files = { "pages-1.img": randomBytes(300_000), "core-1.img": randomBytes(1000) };
/** Requests the receiver has not finished handling: a cut sender returns before the receiver has cleaned up. */
let unfinished = 0;

beforeAll(async () => {
  for (const [n, b] of Object.entries(files)) writeFileSync(path.join(srcDir, n), b);
  app = Fastify({ forceCloseConnections: true });
  // Counted as the request arrives, uncounted when its handler (each route's `finally`) is done.
  app.addHook("onRequest", (_req, _reply, done) => {
    unfinished++;
    done();
  });
  app.addContentTypeParser("application/octet-stream", (_r, payload, done) => done(null, payload));
  const arrived = new Map<string, string>();
  const fail = (reply: FastifyReply, err: unknown) => reply.code(err instanceof ChecksumError ? 400 : 500).send({ message: (err as Error).message });
  app.put<{ Params: { name: string } }>("/files/:name", async (req, reply) => {
    try {
      const sha = req.headers["x-sha256"];
      if (typeof sha === "string") return { size: await receiveFile(req.body as Readable, dstDir, req.params.name, sha, false) };
      const part = await receivePart(req.body as Readable, dstDir, req.params.name, req.headers["x-encoding"] === "gzip");
      arrived.set(req.params.name, part.sha256);
      return { size: part.size };
    } catch (err) {
      return fail(reply, err);
    } finally {
      unfinished--;
    }
  });
  // Small image sets arrive as one bundle (transfer/bundle.ts).
  app.post("/files", async (req, reply) => {
    try {
      return { files: await receiveBundle(req.body as Readable, dstDir, 64 << 20) };
    } catch (err) {
      return reply.code(400).send({ message: (err as Error).message });
    } finally {
      unfinished--;
    }
  });
  app.post<{ Params: { name: string }; Body: { sha256: string } }>("/files/:name/seal", async (req, reply) => {
    try {
      await sealFile(dstDir, req.params.name, req.body.sha256, arrived.get(req.params.name));
      return { ok: true };
    } catch (err) {
      return fail(reply, err);
    } finally {
      unfinished--;
    }
  });
  base = `${await app.listen({ host: "127.0.0.1", port: 0 })}/files`;
});
afterAll(async () => {
  await app.close();
  rmSync(srcDir, { recursive: true, force: true });
  rmSync(dstDir, { recursive: true, force: true });
});
beforeEach(() => {
  for (const f of readdirSync(dstDir)) rmSync(path.join(dstDir, f));
});

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("image transfer", () => {
  it("delivers files byte for byte, with progress", async () => {
    const seen: number[] = [];
    const sent = await sendFiles(srcDir, Object.keys(files), { base, onProgress: (p) => seen.push(p.bytes) });
    expect(sent.bytes).toBe(301_000);
    expect(seen.at(-1)).toBe(301_000);
    for (const [n, b] of Object.entries(files)) expect(sha(readFileSync(path.join(dstDir, n)))).toBe(sha(b));
  });

  it("delivers compressed files intact", async () => {
    await sendFiles(srcDir, Object.keys(files), { base, compress: true });
    for (const [n, b] of Object.entries(files)) expect(sha(readFileSync(path.join(dstDir, n)))).toBe(sha(b));
  });

  it("refuses a corrupted chunk and keeps no partial file", async () => {
    await expect(sendFiles(srcDir, ["pages-1.img"], { base, faults: { corrupt: true } })).rejects.toThrow(/sha256 mismatch/);
    expect(existsSync(path.join(dstDir, "pages-1.img"))).toBe(false);
    expect(readdirSync(dstDir)).toEqual([]);
  });

  it("reports a cut transfer and keeps no partial file", async () => {
    await expect(sendFiles(srcDir, ["pages-1.img"], { base, faults: { cutAt: 0.3 } })).rejects.toThrow(/broke/);
    await waitFor(() => unfinished === 0, { what: "the receiver to finish the cut request" });
    expect(readdirSync(dstDir)).toEqual([]);
  });

  it("checks a hash given up front on arrival", async () => {
    const body = Readable.from([files["core-1.img"]]);
    await expect(receiveFile(body, dstDir, "core-1.img", "0".repeat(64), false)).rejects.toBeInstanceOf(ChecksumError);
    expect(readdirSync(dstDir)).toEqual([]);
    await receiveFile(Readable.from([files["core-1.img"]]), dstDir, "core-1.img", sha(files["core-1.img"]), false);
    expect(readdirSync(dstDir)).toEqual(["core-1.img"]);
  });

  it("accepts only plain file names", () => {
    expect(isSafeName("pages-1.img")).toBe(true);
    for (const bad of ["../x", "a/b", "..", "", "x\u0000"]) expect(isSafeName(bad)).toBe(false);
  });

  it("throttle delay follows the rate", () => {
    expect(throttleDelayMs(1000, 0, undefined)).toBe(0);
    expect(throttleDelayMs(1000, 0, 1000)).toBe(1000);
    expect(throttleDelayMs(1000, 400, 1000)).toBe(600);
    expect(throttleDelayMs(1000, 2000, 1000)).toBe(0);
  });
});
