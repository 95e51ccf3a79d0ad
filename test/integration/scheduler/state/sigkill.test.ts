// Nothing acknowledged is lost when the scheduler is killed with SIGKILL: the
// scheduler runs from the CLI with a --state-dir on a fixed port, and a
// seeded random load of device registrations and removals, task placements
// and releases runs through its HTTP API. At a random point of the load the
// scheduler is killed mid-request and restarted on the same state directory,
// and then: every acknowledged placement is there on its node with its share,
// every acknowledged release and removal stays done, no task appears twice,
// the request in flight happened wholly or not at all, and the next task id
// is new. Nodes without agents: placements only (the cloud is large, so no
// placement moves another task). The figures are printed. Run twice: on the
// embedded store (--state-dir) and on a real etcd (--store etcd://...).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { seededRng } from "../../../../src/random.js";
import { CLI_PATH } from "../../../helpers/cli.js";
import { type Json, type Method, requestJson } from "../../../helpers/http.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";
import { startEtcd, type TestEtcd } from "../../../helpers/etcd.js";
import { spawnChild, type TrackedChild } from "../../../helpers/processes.js";

const SEED = Number(process.env.FM_SIGKILL_SEED ?? 2026);
const RESTARTS = 8;
const NODES = [
  { name: "edge-a", tier: "edge", cpus: 2, netDelayMs: 2 },
  { name: "cloud-a", tier: "cloud", cpus: 512, netDelayMs: 20 },
];


/** A request the scheduler may be killed under: its failure is expected and read later. */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

interface Placed {
  node: string;
  cpuShare: number;
  device: string;
}

sigkillSuite("embedded", 24888, null);
sigkillSuite("etcd", 24889, missing([needs.etcd()]));

function sigkillSuite(store: "embedded" | "etcd", PORT: number, unavailable: string | null): void {
describeWhen(`the scheduler under SIGKILL, ${store} store: nothing acknowledged lost`, unavailable, () => {
  let dir = "";
  let sched: TrackedChild | undefined;
  let etcd: TestEtcd | undefined;
  const api = (method: Method, p: string, body?: unknown) => requestJson(method, `http://127.0.0.1:${PORT}${p}`, body, 15_000);

  async function start(): Promise<void> {
    const where = etcd ? ["--store", etcd.url] : ["--state-dir", path.join(dir, "state")];
    const args = ["scheduler", "--port", String(PORT), "--nodes", path.join(dir, "cluster.json"), ...where, "--device-ttl", "0", "--insecure"];
    sched = spawnChild(process.execPath, [CLI_PATH, ...args]);
    await sched.line((l) => l.startsWith("scheduler listening on"), 20_000);
    // On etcd the scheduler is a replica: it serves once elected (its killed predecessor's lease runs out first).
    if (etcd) await sched.line((l) => l.startsWith("leadership: leading in term"), 20_000);
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "fmsk-sched-"));
    writeFileSync(path.join(dir, "cluster.json"), JSON.stringify({ nodes: NODES }));
    if (store === "etcd") etcd = await startEtcd("fmsk-etcd");
    await start();
  }, 40_000);

  afterAll(async () => {
    await sched?.stop();
    await etcd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it(`keeps every acknowledged placement, release and device across ${RESTARTS} SIGKILLs`, async () => {
    const rng = seededRng(SEED);
    const tasks = new Map<string, Placed>();
    const released = new Set<string>();
    const devices = new Set<string>();
    const removedDevices = new Set<string>();
    let acked = 0;
    let inFlightKilled = 0;
    let serial = 0;
    const problems: string[] = [];

    for (let restart = 1; restart <= RESTARTS; restart++) {
      const ops = 6 + Math.floor(rng() * 10);
      const killAt = Math.floor(rng() * ops);
      let inFlight: { kind: string; id: string } | undefined;
      for (let i = 0; i <= killAt; i++) {
        const roll = rng();
        const live = [...tasks.keys()];
        const idle = [...devices].filter((d) => ![...tasks.values()].some((t) => t.device === d));
        let op: { kind: "place" | "release" | "device" | "undevice"; id: string; device?: string; request: Promise<{ status: number; body: Json }> };
        if (roll < 0.25 && live.length > 0) {
          const id = live[Math.floor(rng() * live.length)] as string;
          op = { kind: "release", id, request: handled(api("DELETE", `/v1/tasks/${id}`)) };
        } else if (roll < 0.35 && idle.length > 0) {
          const id = idle[Math.floor(rng() * idle.length)] as string;
          op = { kind: "undevice", id, request: handled(api("DELETE", `/v1/devices/${id}`)) };
        } else if (roll < 0.45) {
          const id = `dev-${serial++}`;
          op = { kind: "device", id, request: handled(api("POST", "/v1/devices", { id })) };
        } else {
          const id = `job-${serial++}`;
          const device = devices.size > 0 && rng() < 0.5 ? ([...devices][Math.floor(rng() * devices.size)] as string) : `dev-${serial++}`;
          const body = { id, device, workload: "detect", inputClass: "small", delayBudgetMs: 200 + Math.floor(rng() * 1800) };
          op = { kind: "place", id, device, request: handled(api("POST", "/v1/tasks", body)) };
        }
        if (i === killAt) {
          await sleep(Math.floor(rng() * 8));
          process.kill((sched as TrackedChild).pid, "SIGKILL");
          await (sched as TrackedChild).exited;
        }
        const answer = await op.request.catch(() => undefined);
        if (!answer) {
          inFlight = op;
          continue;
        }
        if (op.kind === "place") {
          if (answer.status !== 201) throw new Error(`place ${op.id}: ${answer.status} ${JSON.stringify(answer.body)}`);
          expect(answer.body.migrations ?? [], "no placement moves another task here").toEqual([]);
          tasks.set(op.id, { node: answer.body.node, cpuShare: answer.body.cpuShare, device: op.device as string });
          devices.add(op.device as string);
          removedDevices.delete(op.device as string);
        } else if (op.kind === "release") {
          if (answer.status !== 200) throw new Error(`release ${op.id}: ${answer.status} ${JSON.stringify(answer.body)}`);
          tasks.delete(op.id);
          released.add(op.id);
        } else if (op.kind === "device") {
          if (answer.status !== 201) throw new Error(`device ${op.id}: ${answer.status} ${JSON.stringify(answer.body)}`);
          devices.add(op.id);
        } else {
          if (answer.status !== 204) throw new Error(`remove device ${op.id}: ${answer.status} ${JSON.stringify(answer.body)}`);
          devices.delete(op.id);
          removedDevices.add(op.id);
        }
        acked++;
      }
      await start();

      // What the restarted scheduler shows.
      const placements = (await api("GET", "/v1/placements")).body as Json[];
      const shown = new Map<string, Json>();
      for (const p of placements) {
        if (shown.has(p.request.id)) problems.push(`restart ${restart}: task ${p.request.id} placed twice`);
        shown.set(p.request.id, p);
      }
      const shownDevices = new Set(((await api("GET", "/v1/devices")).body as Json[]).map((d) => d.id as string));
      // The request in flight happened wholly or not at all; the model follows what the scheduler kept.
      if (inFlight) {
        inFlightKilled++;
        if (inFlight.kind === "place") {
          const p = shown.get(inFlight.id);
          if (p) {
            tasks.set(inFlight.id, { node: p.node, cpuShare: p.cpuShare, device: p.request.device });
            devices.add(p.request.device);
          }
        } else if (inFlight.kind === "release") {
          if (!shown.has(inFlight.id)) {
            tasks.delete(inFlight.id);
            released.add(inFlight.id);
          }
        } else if (inFlight.kind === "device") {
          if (shownDevices.has(inFlight.id)) devices.add(inFlight.id);
        } else if (!shownDevices.has(inFlight.id)) {
          devices.delete(inFlight.id);
          removedDevices.add(inFlight.id);
        }
      }
      for (const [id, t] of tasks) {
        const p = shown.get(id);
        if (!p) problems.push(`restart ${restart}: acknowledged task ${id} lost`);
        else if (p.node !== t.node || p.cpuShare !== t.cpuShare) problems.push(`restart ${restart}: task ${id} on ${p.node} at ${p.cpuShare}, acknowledged on ${t.node} at ${t.cpuShare}`);
      }
      for (const id of released) if (shown.has(id)) problems.push(`restart ${restart}: released task ${id} is back`);
      if (shown.size !== tasks.size) problems.push(`restart ${restart}: ${shown.size} placements shown, ${tasks.size} acknowledged`);
      for (const d of devices) if (!shownDevices.has(d)) problems.push(`restart ${restart}: acknowledged device ${d} lost`);
      for (const d of removedDevices) if (shownDevices.has(d)) problems.push(`restart ${restart}: removed device ${d} is back`);
    }
    // A task without an id gets a new one: never one the store already holds.
    const fresh = await api("POST", "/v1/tasks", { device: "dev-fresh", workload: "detect", inputClass: "small", delayBudgetMs: 1000 });
    expect(fresh.status).toBe(201);
    expect(tasks.has(fresh.body.task.id) || released.has(fresh.body.task.id)).toBe(false);

    console.log(`scheduler SIGKILL (${store} store): ${RESTARTS} restarts survived, ${acked} acknowledged operations checked, ${inFlightKilled} killed mid-request, ${tasks.size} tasks and ${devices.size} devices at the end, lost ${problems.length}`);
    expect(problems).toEqual([]);
  }, 240_000);
});
}
