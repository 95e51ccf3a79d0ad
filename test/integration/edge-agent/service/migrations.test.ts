// Real migrations between two agents on two test hosts (network namespaces),
// with real CRIU: a 256 MiB stateful HTTP workload keeps its counter and its
// buffer checksum; faults (cut transfer, corrupted image, failing restore)
// leave the workload running in exactly one place with the reason reported.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import WebSocket from "ws";
import { describeWhen, missing, needs, skipOrFail } from "../../../helpers/env.js";
import { HOSTS, type RunningAgent, setupNet, startAgent, stopAgent, teardownNet } from "../testbed.js";
import type { MigrationInput } from "../../../../src/api-types/agent.js";
import { AgentClient } from "../../../../src/clients/agent.js";
import { requestJson } from "../../../helpers/http.js";
import { parseExposition, sampleValue } from "../../../helpers/prometheus.js";
import { waitFor } from "../../../helpers/wait.js";

const ROOT = path.resolve(import.meta.dirname, "../../../..");
const cli = (args: string[]) => promisify(execFile)(process.execPath, ["bin/fleximigrate.js", ...args], { cwd: ROOT, timeout: 120_000 });
const SERVER = path.resolve(import.meta.dirname, "../../../../edge-agent/workloads/stateful_server.py");
const PORT = 18080;
const ID = "stateful";

interface Migration {
  id: string;
  status: string;
  phase: string;
  error?: string;
  metrics?: { strategy: string; reason: string; totalMs: number; downtimeMs: number; bytesBeforeResume: number; bytesAfterResume: number; pagesOnFault: number; pagesPushed: number };
}
interface Workload {
  id: string;
  state: string;
  pid?: number;
}

const at = (host: "src" | "dst", p: string) => `http://${HOSTS[host].fromTest}:${PORT}${p}`;
async function ask<T>(host: "src" | "dst", p: string): Promise<T> {
  const res = await requestJson<T>("GET", at(host, p), undefined, 15_000);
  expect(res.status).toBe(200);
  return res.body;
}

function gone(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return true;
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return true;
  }
}

describeWhen("agent migrations between two test hosts", missing([needs.root(), needs.criu()]), () => {
  let src: RunningAgent | undefined;
  let dst: RunningAgent | undefined;
  let expectedSha = "";
  let count = 0;
  const agents = () => ({ src: src!, dst: dst! });

  beforeAll(async () => {
    setupNet();
    [src, dst] = await Promise.all([startAgent("src"), startAgent("dst")]);
    const created = await requestJson<Workload>("POST", `${src.url}/v1/workloads`, {
      id: ID,
      command: ["/usr/bin/python3", SERVER, "--port", String(PORT), "--mib", "256"],
      cpuLimit: 1,
      ports: [PORT],
      labels: { region: "eu" },
      probePath: "/health",
    });
    expect(created.status).toBe(201);
    await waitFor(() => requestJson("GET", at("src", "/health"), undefined, 2000).then((r) => r.status === 200, () => false), {
      timeoutMs: 90_000,
      intervalMs: 200,
      what: "the workload to come up",
    });
    expectedSha = (await ask<{ sha256: string }>("src", "/expected")).sha256;
  }, 180_000);

  afterAll(async () => {
    for (const a of [src, dst]) {
      if (!a) continue;
      const list = await requestJson<{ workloads: Workload[] }>("GET", `${a.url}/v1/workloads`).catch(() => undefined);
      for (const w of list?.body.workloads ?? []) await requestJson("DELETE", `${a.url}/v1/workloads/${w.id}`).catch(() => undefined);
    }
    await Promise.all([stopAgent(src), stopAgent(dst)]);
    teardownNet();
  }, 60_000);

  /** Starts a migration (under `requestId` as its correlation id, as the scheduler's manager sends its move's id) and waits for its end. */
  async function migrate(from: "src" | "dst", to: "src" | "dst", body: Record<string, unknown>, requestId?: string): Promise<Migration> {
    const a = agents();
    const started = requestId
      ? await new AgentClient(a[from].url).startMigration({ workload: ID, destination: a[to].linkUrl, ...body } as MigrationInput, { requestId }).then((b) => ({ status: 202, body: b as unknown as Migration }))
      : await requestJson<Migration>("POST", `${a[from].url}/v1/migrations`, { workload: ID, destination: a[to].linkUrl, ...body });
    expect(started.status).toBe(202);
    let last: Migration | undefined;
    return waitFor(
      async () => {
        last = (await requestJson<Migration>("GET", `${a[from].url}/v1/migrations/${started.body.id}`)).body;
        return last.status !== "running" && last;
      },
      { timeoutMs: 120_000, intervalMs: 100, what: () => `the migration to end (stuck in ${last?.phase})` },
    );
  }

  async function workloadsOn(host: "src" | "dst"): Promise<Workload[]> {
    return (await requestJson<{ workloads: Workload[] }>("GET", `${agents()[host].url}/v1/workloads`)).body.workloads;
  }

  async function expectRunsOnlyOn(host: "src" | "dst") {
    const other = host === "src" ? "dst" : "src";
    const here = await workloadsOn(host);
    expect(here.map((w) => [w.id, w.state])).toEqual([[ID, "running"]]);
    expect(await workloadsOn(other)).toEqual([]);
    // The counter continues, never resets; the 256 MiB buffer is intact.
    count += 1;
    expect((await ask<{ count: number }>(host, "/count")).count).toBe(count);
    expect((await ask<{ sha256: string }>(host, "/checksum")).sha256).toBe(expectedSha);
    // No half state: nothing left in the other agent's image directory (but its workload journal, state/).
    const otherDir = agents()[other].workDir;
    expect(existsSync(otherDir) ? readdirSync(otherDir).filter((n) => n !== "state") : []).toEqual([]);
    return here[0]!;
  }

  it("answers bad input with 400 and changes nothing", async () => {
    const { src: s, dst: d } = agents();
    const neither = await requestJson<{ message: string }>("POST", `${s.url}/v1/workloads`, { cpuLimit: 1 });
    expect(neither.status).toBe(400);
    const taken = await requestJson<{ message: string }>("POST", `${s.url}/v1/workloads`, { command: ["/bin/sleep", "60"], cpuLimit: 1, ports: [PORT] });
    expect(taken.status).toBe(400);
    expect(taken.body.message).toContain("taken");
    const neg = await requestJson("POST", `${s.url}/v1/workloads`, { command: ["/bin/true"], cpuLimit: -1 });
    expect(neg.status).toBe(400);
    const warp = await requestJson("POST", `${s.url}/v1/migrations`, { workload: ID, destination: d.linkUrl, strategy: "warp" });
    expect(warp.status).toBe(400);
    const nobody = await requestJson("POST", `${s.url}/v1/migrations`, { workload: "nobody", destination: d.linkUrl, strategy: "stopcopy" });
    expect(nobody.status).toBe(400);
    const pre = await requestJson<{ message: string }>("POST", `${s.url}/v1/migrations`, { workload: ID, destination: d.linkUrl, strategy: "precopy" });
    expect(pre.status).toBe(400);
    expect(pre.body.message).toContain("mem_dirty_track");
    expect((await requestJson<{ migrations: unknown[] }>("GET", `${s.url}/v1/migrations`)).body.migrations).toEqual([]);
    await expectRunsOnlyOn("src");
  });

  it("reports capabilities: pre-copy unavailable with the reason", async () => {
    const info = (await requestJson<{ capabilities: { criu: { features: Record<string, boolean> }; strategies: Record<string, { ok: boolean; reason?: string }> } }>("GET", `${agents().src.url}/v1/info`)).body;
    expect(info.capabilities.criu.features.mem_dirty_track).toBe(false);
    expect(info.capabilities.strategies.precopy?.ok).toBe(false);
    expect(info.capabilities.strategies.stopcopy?.ok).toBe(true);
  });

  it("stop-and-copy moves the 256 MiB workload with its state", async () => {
    const before = await expectRunsOnlyOn("src");
    const events: Array<{ type: string; phase?: string; bytes?: number; rateBps?: number }> = [];
    const ws = new WebSocket(`${agents().src.url.replace("http", "ws")}/v1/events`);
    ws.on("message", (d) => events.push(JSON.parse(String(d))));
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    const rec = await migrate("src", "dst", { strategy: "stopcopy" });
    ws.close();
    const transfers = events.filter((e) => e.type === "migration" && e.phase === "transferring" && e.bytes);
    expect(transfers.length).toBeGreaterThan(0);
    expect(transfers.at(-1)!.bytes).toBeGreaterThan(256 * 1024 * 1024);
    expect(transfers.at(-1)!.rateBps).toBeGreaterThan(0);
    expect(events.some((e) => e.phase === "done")).toBe(true);
    expect(rec.error).toBeUndefined();
    expect(rec.status).toBe("succeeded");
    const m = rec.metrics!;
    expect(m.strategy).toBe("stopcopy");
    expect(m.bytesBeforeResume).toBeGreaterThan(256 * 1024 * 1024);
    expect(m.bytesAfterResume).toBe(0);
    expect(m.pagesPushed).toBeGreaterThanOrEqual(65536);
    expect(m.downtimeMs).toBeGreaterThan(0);
    expect(m.totalMs).toBeGreaterThanOrEqual(m.downtimeMs);
    process.stderr.write(`[stopcopy] ${JSON.stringify(m)}\n`);
    await expectRunsOnlyOn("dst");
    await waitFor(() => gone(before.pid!), { timeoutMs: 5000, what: "the source's process to end" });
    expect(gone(before.pid!)).toBe(true);
  }, 150_000);

  const faults: Array<[string, Record<string, unknown>, RegExp]> = [
    ["the transfer cut midway", { cutAt: 0.5 }, /broke|cut/],
    ["an image chunk corrupted", { corrupt: true }, /sha256 mismatch/],
    ["the destination restore failing", { failRestore: true }, /criu restore failed/],
  ];
  for (const [what, fault, reason] of faults) {
    it(`rolls back when ${what}`, async () => {
      const rec = await migrate("dst", "src", { strategy: "stopcopy", faults: fault });
      expect(rec.status).toBe("failed");
      expect(rec.error).toMatch(reason);
      await expectRunsOnlyOn("dst");
    }, 150_000);
  }

  it("post-copy moves it back when available here", async (t) => {
    const info = (await requestJson<{ capabilities: { strategies: Record<string, { ok: boolean; reason?: string }> } }>("GET", `${agents().dst.url}/v1/info`)).body;
    const post = info.capabilities.strategies.postcopy;
    if (!post?.ok) {
      skipOrFail(t, "post-copy", String(post?.reason));
      return;
    }
    const client = (host: "src" | "dst") => new AgentClient(agents()[host].url);
    const before = parseExposition(await client("dst").metrics());
    const rec = await migrate("dst", "src", { strategy: "postcopy" }, "m-itest-pc");
    expect(rec.error).toBeUndefined();
    expect(rec.status).toBe("succeeded");
    process.stderr.write(`[postcopy] ${JSON.stringify(rec.metrics)}\n`);
    expect(rec.metrics!.strategy).toBe("postcopy");
    expect(rec.metrics!.pagesOnFault + rec.metrics!.pagesPushed).toBeGreaterThan(0);
    await expectRunsOnlyOn("src");
    // The source's metrics moved by what its page server and transfers did.
    const after = parseExposition(await client("dst").metrics());
    const moved = (name: string, labels: Record<string, string>) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
    // Per reply: a page asked for again is counted again, so at least the pages the strategy reports.
    expect(moved("fleximigrate_agent_postcopy_pages_total", { served: "fault" })).toBeGreaterThanOrEqual(rec.metrics!.pagesOnFault);
    expect(moved("fleximigrate_agent_postcopy_pages_total", { served: "fetched" })).toBeGreaterThanOrEqual(rec.metrics!.pagesPushed);
    expect(moved("fleximigrate_agent_transfer_bytes_total", { phase: "before-resume" })).toBe(rec.metrics!.bytesBeforeResume);
    expect(moved("fleximigrate_agent_transfer_bytes_total", { phase: "after-resume" })).toBeGreaterThan(0);
    expect(moved("fleximigrate_agent_migrations_total", { outcome: "succeeded", strategy: "postcopy" })).toBe(1);
    // Both agents logged what they did for it under its id: the source its run, the destination the source's calls.
    const sourceLines = (await client("dst").logs("m-itest-pc")).lines;
    const destinationLines = (await client("src").logs("m-itest-pc")).lines;
    expect(sourceLines.some((l) => l.correlation === "m-itest-pc" && l.msg.includes("post-copy:"))).toBe(true);
    expect(destinationLines.some((l) => l.reqId === "m-itest-pc" && /^POST \/v1\/incoming /.test(l.msg))).toBe(true);
    expect(destinationLines.some((l) => l.reqId === "m-itest-pc" && /\/restore 2\d\d$/.test(l.msg))).toBe(true);
  }, 150_000);

  it("the CLI lists, describes and migrates (auto) with the metrics", async () => {
    const a = agents();
    const from = (await workloadsOn("src")).length ? "src" : "dst";
    const to = from === "src" ? "dst" : "src";
    const listed = JSON.parse((await cli(["workloads", "--agent", a[from].url, "--json"])).stdout) as Workload[];
    expect(listed.map((w) => w.id)).toEqual([ID]);
    const info = JSON.parse((await cli(["agent-info", "--agent", a[from].url, "--json"])).stdout) as { capabilities: { strategies: Record<string, { ok: boolean }> } };
    expect(info.capabilities.strategies.stopcopy?.ok).toBe(true);
    const out = await cli(["migrate", ID, "--from", a[from].url, "--to", a[to].linkUrl, "--strategy", "auto", "--json"]);
    const rec = JSON.parse(out.stdout) as Migration;
    expect(rec.status).toBe("succeeded");
    expect(rec.metrics!.reason).toMatch(/^auto: /);
    process.stderr.write(`[auto via CLI] ${JSON.stringify(rec.metrics)}\n`);
    await expectRunsOnlyOn(to);
  }, 150_000);
});
