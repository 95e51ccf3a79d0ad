// Only the source that opened a migration may push into it: POST /v1/incoming
// answers a one-time token, and every later call of that migration (files,
// image load, prepare, restore, commit, abort) without it is a 401, with
// another one a 403, and nothing arrives. The peer adapter carries the token
// by itself once the open answered it. Images live in a 0700 folder.
import { readdir, rm, stat } from "node:fs/promises";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../../../edge-agent/service/agent.js";
import { buildApp } from "../../../../edge-agent/service/app.js";
import { MIGRATION_TOKEN_HEADER, tokenMatches } from "../../../../edge-agent/service/migration-token.js";
import { peerAgent } from "../../../../edge-agent/service/peer-agent.js";
import { sendFiles } from "../../../../edge-agent/transfer/sender.js";
import { TEST_ALLOW } from "../../../helpers/allow-list.js";

const caps = { criu: { present: false, checkOk: false, features: {} }, docker: { present: true }, cgroupCpu: { ok: true }, strategies: {} };
const WORK = `/tmp/fmw-token-${process.pid}`;
const workload = { id: "w-tok", runtime: "direct", spec: { command: ["sleep", "30"], cpuLimit: 0.5, ports: [], labels: {} }, state: "running" };

let agent: Agent;
let app: FastifyInstance;
let base = "";

beforeAll(async () => {
  agent = new Agent({ node: "fmw-dst", tier: "edge", selfUrl: "http://127.0.0.1:46002", workRoot: WORK, allow: TEST_ALLOW }, caps);
  app = await buildApp(agent);
  base = await app.listen({ host: "127.0.0.1", port: 0 });
});
afterAll(async () => {
  await app.close();
  await rm(WORK, { recursive: true, force: true });
});

async function open(id: string): Promise<string> {
  const res = await fetch(`${base}/v1/incoming`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ migrationId: id, workload, source: "http://127.0.0.1:9" }) });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { token: string };
  expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  return body.token;
}

describe("a migration's one-time token", () => {
  it("each open draws another token; comparison is exact", async () => {
    const a = await open("m-tok-a");
    const b = await open("m-tok-b");
    expect(a).not.toBe(b);
    expect(tokenMatches(a, a)).toBe(true);
    expect(tokenMatches(a, b)).toBe(false);
    expect(tokenMatches(a, undefined)).toBe(false);
  });

  it("images arrive in a 0700 folder", async () => {
    await open("m-tok-mode");
    expect((await stat(agent.incomingDir("m-tok-mode"))).mode & 0o777).toBe(0o700);
  });

  const calls: Array<[string, string, string, Record<string, string>, string | undefined]> = [
    ["an image file pushed by a stranger", "PUT", "files/pages-1.img", { "content-type": "application/octet-stream", "x-sha256": "0".repeat(64) }, "evil pages"],
    ["a bundle of files", "POST", "files", { "content-type": "application/octet-stream" }, "evil"],
    ["a restore", "POST", "restore", { "content-type": "application/json" }, JSON.stringify({ hook: "criu-restore", params: {} })],
    ["a commit", "POST", "commit", {}, undefined],
    ["an abort", "POST", "abort", {}, undefined],
  ];
  for (const [what, method, tail, headers, body] of calls) {
    it(`${what}: 401 without the token, 403 with another migration's; nothing arrives, the migration stays open`, async () => {
      const id = `m-tok-${tail.replace(/[^a-z]/g, "")}`;
      await open(id);
      const other = await open(`${id}-other`);
      const url = `${base}/v1/incoming/${id}/${tail}`;
      const without = await fetch(url, { method, headers, body });
      expect(without.status).toBe(401);
      expect(await without.json()).toMatchObject({ code: "MIGRATION_TOKEN_REFUSED", message: expect.stringContaining(MIGRATION_TOKEN_HEADER) });
      const wrong = await fetch(url, { method, headers: { ...headers, [MIGRATION_TOKEN_HEADER]: other }, body });
      expect(wrong.status).toBe(403);
      expect(await readdir(agent.incomingDir(id))).toEqual([]);
      expect(agent.incoming.has(id)).toBe(true);
    });
  }

  it("a docker load of a migration's file by a stranger: 401/403, nothing loaded", async () => {
    await open("m-tok-img");
    const body = JSON.stringify({ migrationId: "m-tok-img", file: "image.tar", ref: "busybox" });
    expect((await fetch(`${base}/v1/images`, { method: "POST", headers: { "content-type": "application/json" }, body })).status).toBe(401);
    expect((await fetch(`${base}/v1/images`, { method: "POST", headers: { "content-type": "application/json", [MIGRATION_TOKEN_HEADER]: "x".repeat(43) }, body })).status).toBe(403);
  });

  it("the source's peer adapter carries the token it was answered: its files arrive, its commit is heard", async () => {
    const peer = peerAgent(base);
    expect(peer.token()).toBeUndefined();
    await peer.openIncoming("m-tok-peer", workload as never, "http://127.0.0.1:9");
    const token = peer.token();
    expect(token).toBeDefined();
    const dir = `${WORK}/src-files`;
    const { mkdir, writeFile } = await import("node:fs/promises");
    await mkdir(dir, { recursive: true });
    await writeFile(`${dir}/core-1.img`, "core");
    await sendFiles(dir, ["core-1.img"], { base: `${base}/v1/incoming/m-tok-peer/files`, headers: { [MIGRATION_TOKEN_HEADER]: token! } });
    expect(await readdir(agent.incomingDir("m-tok-peer"))).toEqual(["core-1.img"]);
    // Nothing restored: the destination answers 400 to the commit, which it heard (not 401).
    await expect(peer.commitIncoming("m-tok-peer")).rejects.toMatchObject({ status: 400 });
    await peer.abortIncoming("m-tok-peer");
    expect(agent.incoming.has("m-tok-peer")).toBe(false);
  });
});
