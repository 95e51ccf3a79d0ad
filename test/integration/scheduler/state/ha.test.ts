// Two schedulers on a real three-member etcd (`--store etcd://A,B,C`), run
// from the CLI; a client given both URLs (src/http/json-client.ts follows the
// leader). Nodes without agents: placements only, as in sigkill.test.ts.
//
// 1. A load of task submissions; the leading scheduler is SIGKILLed in the
//    middle. The standby takes over; every acknowledged placement is there,
//    once, on its node with its share, read back from the new leader; the
//    takeover time and the operations checked are printed.
// 2. One etcd member of three SIGKILLed: submissions go on. Two: writes
//    answer 503 in bounded time (no hang, no 500), reads of the leadership
//    still answer; both members back: writes succeed again and nothing
//    acknowledged is lost or doubled.
// `fleximigrate status` is read along the way.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { LeadershipView, PlacementView } from "../../../../src/api-types/scheduler.js";
import { SchedulerClient } from "../../../../src/clients/scheduler.js";
import { ServiceError } from "../../../../src/http/client-errors.js";
import { CLI_PATH } from "../../../helpers/cli.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";
import { startEtcdCluster, type TestEtcdCluster } from "../../../helpers/etcd.js";
import { requestJson } from "../../../helpers/http.js";
import { freePort } from "../../../helpers/ports.js";
import { spawnChild, type TrackedChild } from "../../../helpers/processes.js";
import { waitFor } from "../../../helpers/wait.js";

const run = promisify(execFile);
const LOAD = 240;
const WORKERS = 4;
// One large node: no placement moves another task, so each stays where it was acknowledged.
const NODES = [{ name: "cloud-a", tier: "cloud", cpus: 512, netDelayMs: 20 }];

interface Replica {
  url: string;
  child: TrackedChild;
}

describeWhen("scheduler replicas on a three-member etcd: leader and standby", missing([needs.etcd()]), () => {
  let dir = "";
  let cluster: TestEtcdCluster;
  const replicas: Replica[] = [];
  /** Every task the schedulers acknowledged: where, at which share. */
  const acked = new Map<string, { node: string; cpuShare: number }>();
  /** Tasks whose POST got no answer or a 503 (it may have happened, wholly or not at all). */
  const unsure = new Set<string>();

  const leadership = async (r: Replica): Promise<LeadershipView | undefined> =>
    requestJson<LeadershipView>("GET", `${r.url}/v1/leadership`, undefined, 2_000).then(
      (a) => (a.status === 200 ? a.body : undefined),
      () => undefined,
    );
  const leader = async (among = replicas): Promise<Replica> =>
    waitFor(
      async () => {
        for (const r of among) if ((await leadership(r))?.role === "leader") return r;
        return undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50, what: "a scheduler to lead" },
    );

  async function startReplica(): Promise<Replica> {
    const port = await freePort();
    const child = spawnChild(process.execPath, [CLI_PATH, "scheduler", "--port", String(port), "--nodes", path.join(dir, "cluster.json"), "--store", cluster.url, "--device-ttl", "0", "--insecure"]);
    await child.line((l) => l.startsWith("scheduler listening on"), 20_000);
    const r = { url: `http://127.0.0.1:${port}`, child };
    replicas.push(r);
    return r;
  }

  /** Places `id` through `client`, sending it again after an unsure outcome (a client-chosen id is placed once: the second try is a 409). */
  async function place(client: SchedulerClient, id: string): Promise<void> {
    const task = { id, device: `dev-${id}`, workload: "detect", inputClass: "small", delayBudgetMs: 1500 };
    for (let attempt = 1; attempt <= 6; attempt++) {
      try {
        const outcome = await client.submitTask(task, { timeoutMs: 10_000 });
        if (outcome.outcome === "placed") {
          acked.set(id, { node: outcome.placed.node, cpuShare: outcome.placed.cpuShare });
          unsure.delete(id);
          return;
        }
        // The earlier try went through before the leader died: it is placed (read back at the end).
        if (/already|duplicate|exists/i.test(outcome.refused.message) && unsure.has(id)) return;
        throw new Error(`task ${id} refused: ${outcome.refused.message}`);
      } catch (err) {
        if (err instanceof ServiceError && err.status !== 503) throw err;
        unsure.add(id);
      }
    }
    throw new Error(`task ${id}: no answer after 6 tries`);
  }

  /** What the leader shows, each task once; fails on a task shown twice or an acknowledged one missing or moved. */
  async function checkPlacements(client: SchedulerClient, label: string): Promise<{ shown: Map<string, PlacementView>; problems: string[] }> {
    const placements = await client.placements();
    const shown = new Map<string, PlacementView>();
    const problems: string[] = [];
    for (const p of placements) {
      if (shown.has(p.request.id)) problems.push(`${label}: task ${p.request.id} placed twice`);
      shown.set(p.request.id, p);
    }
    for (const [id, a] of acked) {
      const p = shown.get(id);
      if (!p) problems.push(`${label}: acknowledged task ${id} lost`);
      else if (p.node !== a.node || p.cpuShare !== a.cpuShare) problems.push(`${label}: task ${id} on ${p.node} at ${p.cpuShare}, acknowledged on ${a.node} at ${a.cpuShare}`);
    }
    for (const id of shown.keys()) if (!acked.has(id) && !unsure.has(id)) problems.push(`${label}: task ${id} placed but never submitted`);
    return { shown, problems };
  }

  async function status(): Promise<{ code: number; report: { etcd: { quorum: { reachable: number; ok: boolean }; members: { reachable: boolean }[] }; services: { name: string; leader: string | null }[] } }> {
    const res = await run(process.execPath, [CLI_PATH, "status", "--store", cluster.url, "--json", "--timeout", "2"]).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    );
    return { code: res.code, report: JSON.parse(res.stdout) };
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "fmhs-sched-"));
    writeFileSync(path.join(dir, "cluster.json"), JSON.stringify({ nodes: NODES }));
    cluster = await startEtcdCluster(3, "fmhs-etcd");
    await startReplica();
    await startReplica();
  }, 90_000);

  afterAll(async () => {
    for (const r of replicas) await r.child.stop();
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("SIGKILL of the leading scheduler mid-load: the standby takes over, no acknowledged placement lost or doubled", async () => {
    const first = await leader();
    const standby = replicas.find((r) => r !== first)!;
    expect((await leadership(standby))?.role).toBe("standby");
    expect((await leadership(standby))?.leader).toBe(first.url);
    // A standby refuses writes with the leader's address, not a stack trace.
    const refused = await requestJson("POST", `${standby.url}/v1/tasks`, { id: "via-standby", device: "d", workload: "detect", inputClass: "small", delayBudgetMs: 1500 });
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ code: "NOT_LEADER", leader: first.url });

    const before = await status();
    expect(before.code).toBe(0);
    expect(before.report.services.find((s) => s.name === "scheduler")?.leader).toBe(first.url);
    expect(before.report.etcd.quorum).toMatchObject({ reachable: 3, ok: true });

    // Both URLs, the standby's first: the client finds the leader by itself.
    const client = new SchedulerClient(`${standby.url},${first.url}`, { timeoutMs: 10_000 });
    let next = 0;
    let killedAt = 0;
    let takeoverMs = 0;
    const killAfter = Math.floor(LOAD / 3);
    const takeover = (async () => {
      await waitFor(() => (acked.size >= killAfter ? true : undefined), { timeoutMs: 120_000, intervalMs: 5, what: `${killAfter} placements before the kill` });
      killedAt = Date.now();
      process.kill(first.child.pid, "SIGKILL");
      await first.child.exited;
      await waitFor(async () => ((await leadership(standby))?.role === "leader" ? true : undefined), { timeoutMs: 30_000, intervalMs: 20, what: "the standby to lead" });
      takeoverMs = Date.now() - killedAt;
    })();
    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        while (next < LOAD) await place(client, `ha-${next++}`);
      }),
    );
    await takeover;
    const view = await leadership(standby);
    expect(view?.role).toBe("leader");
    expect(BigInt(view!.term!)).toBeGreaterThan(0n);

    const { shown, problems } = await checkPlacements(new SchedulerClient(standby.url), "after the takeover");
    // Every submission ended placed: acknowledged, or placed by a try whose answer was lost.
    for (let i = 0; i < LOAD; i++) if (!shown.has(`ha-${i}`)) problems.push(`task ha-${i} was never placed`);
    const after = await status();
    expect(after.report.services.find((s) => s.name === "scheduler")?.leader).toBe(standby.url);
    console.log(
      `scheduler HA takeover: leader SIGKILLed after ${killAfter} placements, standby led ${takeoverMs} ms later (goal < 5000 ms, lease TTL 2 s); ` +
        `${LOAD} submissions, ${acked.size} acknowledged and checked on the new leader, ${LOAD - acked.size} placed by a try whose answer was lost, ${shown.size} placements shown; problems ${problems.length}`,
    );
    expect(problems).toEqual([]);
    expect(shown.size).toBe(LOAD);
    // The killed one comes back as a standby of the new leader.
    replicas.splice(replicas.indexOf(first), 1);
    const back = await startReplica();
    await waitFor(async () => ((await leadership(back))?.leader === standby.url ? true : undefined), { timeoutMs: 20_000, what: "the restarted scheduler to see the new leader" });
    expect((await leadership(back))?.role).toBe("standby");
  }, 240_000);

  it("one etcd member of three down: submissions go on; two down: clear 503s, no hang; both back: writes again, nothing lost", async () => {
    const client = new SchedulerClient(replicas.map((r) => r.url).join(","), { timeoutMs: 20_000 });
    const [m0, m1] = cluster.members;
    await m0!.kill();
    let placedWithOneDown = 0;
    const oneDownStart = Date.now();
    for (let i = 0; i < 20; i++) {
      await place(client, `one-down-${i}`);
      placedWithOneDown++;
    }
    const oneDownMs = Date.now() - oneDownStart;
    const oneDown = await status();
    expect(oneDown.report.etcd.quorum).toMatchObject({ reachable: 2, ok: true });

    await m1!.kill();
    // Writes straight to each replica: each answers, 503 with a reason, in bounded time.
    const answers: { status: number; code: string; ms: number }[] = [];
    for (let i = 0; i < 6; i++) {
      const r = replicas[i % replicas.length]!;
      const t0 = Date.now();
      const id = `no-quorum-${i}`;
      unsure.add(id);
      const a = await requestJson("POST", `${r.url}/v1/tasks`, { id, device: `dev-${id}`, workload: "detect", inputClass: "small", delayBudgetMs: 1500 }, 30_000);
      answers.push({ status: a.status, code: a.body?.code, ms: Date.now() - t0 });
    }
    for (const a of answers) {
      expect(a.status, JSON.stringify(answers)).toBe(503);
      expect(["UNAVAILABLE", "NOT_LEADER"]).toContain(a.code);
    }
    // Reads of the leadership still answer on every replica.
    for (const r of replicas) expect(await leadership(r)).toBeDefined();
    const noQuorum = await status();
    expect(noQuorum.code).toBe(1);
    expect(noQuorum.report.etcd.quorum).toMatchObject({ reachable: 1, ok: false });

    const backAt = Date.now();
    await Promise.all([m0!.start(), m1!.start()]);
    const again = await leader();
    const recoverMs = Date.now() - backAt;
    for (let i = 0; i < 5; i++) await place(client, `after-${i}`);
    const { shown, problems } = await checkPlacements(new SchedulerClient(again.url), "after etcd recovered");
    const noQuorumKept = answers.filter((_, i) => shown.has(`no-quorum-${i}`)).length;
    console.log(
      `scheduler HA, etcd members down: one of three: ${placedWithOneDown} placements in ${oneDownMs} ms; two of three: ${answers.length} writes answered ` +
        `${answers.map((a) => `${a.status} ${a.code} in ${a.ms} ms`).join(", ")}; members back: a leader serving ${recoverMs} ms later, ` +
        `${shown.size} placements checked (${acked.size} acknowledged, ${noQuorumKept} of the 503'd writes applied after recovery); problems ${problems.length}`,
    );
    // What the replicas said of their roles meanwhile (step-downs on unconfirmed writes included).
    for (const r of replicas) {
      const lines = r.child.stdout().split("\n").filter((l) => l.startsWith("leadership: ") && !l.startsWith("leadership: leader now"));
      console.log(`${r.url}:\n  ${lines.join("\n  ")}`);
    }
    expect(problems).toEqual([]);
    expect((await status()).code).toBe(0);
  }, 240_000);
});
