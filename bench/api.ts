// `fleximigrate bench api` (or `npm run bench -- api`): the services' APIs
// under load, printed side by side.
//  1. The scheduler (a child process) with 20 registered nodes without agents
//     (moves are only recorded, no workload starts): N POST /v1/tasks at C
//     concurrent, each from a device of its own, then every task released and
//     every device deleted; twice, with the durable store (--state-dir) and
//     with an in-memory one. Throughput, p50/p99 latency, and the process's
//     memory (after a full GC) at the start, after placing, after releasing,
//     and after a second round: memory must not grow with released tasks or
//     devices. Goal: the durable store costs under 2x in p99.
//  2. The controller's DNS server at its saturation rate: valid queries kept
//     WINDOW in flight for a few seconds; answers/s and p50/p99.
import { type ChildProcess, spawn } from "node:child_process";
import dgram from "node:dgram";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import dns2 from "dns2";
import { defineCommand } from "../src/cli/define.js";
import * as flag from "../src/cli/flags.js";
import { formatTable, printJson } from "../src/cli/output.js";
import { waitFor } from "../src/wait.js";

const CHILD = fileURLToPath(new URL("./api-scheduler.ts", import.meta.url));
const CLI = fileURLToPath(new URL("../bin/fleximigrate.js", import.meta.url));

export const command = defineCommand({
  name: "bench api",
  description: `POST /v1/tasks at a fixed concurrency against 20 nodes, with and without the
durable store (throughput, p50/p99, memory across place/release rounds), and the
controller's DNS server at its saturation rate.`,
  flags: {
    tasks: flag.number("N", "tasks per round", { integer: true, min: 1, default: 20_000 }),
    concurrent: flag.number("N", "requests in flight", { integer: true, min: 1, default: 50 }),
    nodes: flag.number("N", "registered nodes", { integer: true, min: 1, default: 20 }),
    port: flag.number("N", "first of the loopback ports used (3 in all)", { integer: true, min: 1024, default: 25400 }),
    "dns-seconds": flag.number("S", "how long the DNS server is kept saturated", { min: 0.5, default: 3 }),
    "dns-window": flag.number("N", "DNS queries kept in flight", { integer: true, min: 1, default: 256 }),
    json: flag.boolean("print the results as JSON"),
  },
  run: async (parsed) => bench(parsed.values),
});

interface Mem {
  rssMiB: number;
  heapMiB: number;
}

export interface Round {
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  failed: number;
}

interface StoreRow {
  store: "durable" | "memory";
  place: Round;
  release: Round;
  /** After a GC: at start (nodes registered), after placing round 1, after releasing round 1, after releasing round 2. */
  mem: { start: Mem; placed: Mem; released1: Mem; released2: Mem };
  journalMiB: number | null;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

/** Runs `count` requests made by `one(i)` with `concurrent` in flight; times each. */
export async function load(count: number, concurrent: number, one: (i: number) => Promise<boolean>): Promise<Round> {
  const times: number[] = [];
  let next = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrent }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = performance.now();
        if (!(await one(i))) failed++;
        times.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  return { perSec: count / seconds, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), failed };
}

export class SchedulerChild {
  private readonly lines: string[] = [];
  private waiters: Array<(line: string) => void> = [];

  private constructor(readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const w = this.waiters.shift();
      if (w) w(line);
      else this.lines.push(line);
    });
    child.stderr?.on("data", (d: Buffer) => process.stderr.write(d));
  }

  /** `where`: a state directory, an etcd:// URL, or nothing (memory). */
  static async start(port: number, where: string | undefined): Promise<SchedulerChild> {
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", CHILD, String(port), ...(where ? [where] : [])], { stdio: ["pipe", "pipe", "pipe"] });
    const s = new SchedulerChild(child);
    await Promise.race([s.line(), new Promise((_, reject) => child.once("exit", (code) => reject(new Error(`the scheduler exited with ${code}`))))]);
    return s;
  }

  private line(): Promise<string> {
    const ready = this.lines.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async mem(): Promise<Mem> {
    this.child.stdin!.write("mem\n");
    return JSON.parse(await this.line()) as Mem;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once("exit", r));
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

export async function call(base: string, method: string, url: string, body?: unknown): Promise<number> {
  const res = await fetch(`${base}${url}`, {
    method,
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  await res.arrayBuffer();
  return res.status;
}

async function storeRow(store: StoreRow["store"], v: { tasks: number; concurrent: number; nodes: number; port: number }, progress: (s: string) => void): Promise<StoreRow> {
  const dir = store === "durable" ? mkdtempSync(path.join(tmpdir(), "fmapi-bench-state-")) : undefined;
  const s = await SchedulerChild.start(v.port, dir);
  const base = `http://127.0.0.1:${v.port}`;
  try {
    for (let n = 0; n < v.nodes; n++) {
      const status = await call(base, "POST", "/v1/nodes", { name: `bench-${n}`, tier: n % 2 ? "cloud" : "edge", cpus: 4096, netDelayMs: n % 2 ? 40 : 5 });
      if (status !== 201) throw new Error(`node registration answered ${status}`);
    }
    const round = async (r: number) => {
      const id = (i: number) => `r${r}-${i}`;
      progress(`${store}: round ${r}, placing ${v.tasks} tasks`);
      const place = await load(v.tasks, v.concurrent, async (i) =>
        (await call(base, "POST", "/v1/tasks", { id: id(i), device: `dev-${id(i)}`, workload: "detect", inputClass: "small", delayBudgetMs: 3000 })) === 201,
      );
      const placed = await s.mem();
      progress(`${store}: round ${r}, releasing them and their devices`);
      const release = await load(v.tasks, v.concurrent, async (i) => {
        const task = await call(base, "DELETE", `/v1/tasks/${id(i)}`);
        const device = await call(base, "DELETE", `/v1/devices/dev-${id(i)}`);
        return task === 200 && device === 204;
      });
      return { place, release, placed, released: await s.mem() };
    };
    // A short warm-up (JIT, pools), then the measured rounds.
    await load(500, v.concurrent, async (i) => (await call(base, "POST", "/v1/tasks", { id: `w-${i}`, device: `dev-w-${i}`, workload: "detect", inputClass: "small", delayBudgetMs: 3000 })) === 201);
    await load(500, v.concurrent, async (i) => (await call(base, "DELETE", `/v1/tasks/w-${i}`)) === 200 && (await call(base, "DELETE", `/v1/devices/dev-w-${i}`)) === 204);
    const start = await s.mem();
    const first = await round(1);
    const second = await round(2);
    return {
      store,
      place: first.place,
      release: first.release,
      mem: { start, placed: first.placed, released1: first.released, released2: second.released },
      journalMiB: dir ? statSync(path.join(dir, "state.jsonl")).size / 2 ** 20 : null,
    };
  } finally {
    await s.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

interface DnsRow {
  answersPerSec: number;
  p50Ms: number;
  p99Ms: number;
  sent: number;
  answered: number;
}

/** The controller's DNS server kept `window` queries deep for `seconds`. */
async function dnsSaturation(port: number, seconds: number, window: number): Promise<DnsRow> {
  const ports = { openflow: port + 1, http: port + 2, dns: port + 3 };
  const ctl = spawn(process.execPath, [CLI, "controller", "--openflow-port", String(ports.openflow), "--http-port", String(ports.http), "--dns-port", String(ports.dns), "--quiet", "--insecure"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    await waitFor(async () => (await call(`http://127.0.0.1:${ports.http}`, "PUT", "/v1/dns/records/web", { ip: "10.0.0.5" }).catch(() => 0)) === 201, {
      timeoutMs: 30_000,
      what: "the controller's HTTP API",
    });
    const { Packet } = dns2;
    const sock = dgram.createSocket("udp4");
    await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
    const sentAt = new Map<number, number>();
    const times: number[] = [];
    let nextId = 0;
    let sent = 0;
    const deadline = performance.now() + seconds * 1000;
    const query = (id: number) => {
      const q = new Packet();
      q.header.id = id;
      q.questions.push({ name: "web.svc.fleximigrate.local", type: 1, class: 1 } as InstanceType<typeof Packet.Question>);
      return q.toBuffer();
    };
    const send = () => {
      const id = nextId++ & 0xffff;
      sentAt.set(id, performance.now());
      sent++;
      sock.send(query(id), ports.dns, "127.0.0.1");
    };
    const started = performance.now();
    await new Promise<void>((resolve) => {
      sock.on("message", (msg: Buffer) => {
        const id = msg.readUInt16BE(0);
        const t = sentAt.get(id);
        if (t === undefined) return;
        sentAt.delete(id);
        times.push(performance.now() - t);
        if (performance.now() < deadline) send();
        else if (sentAt.size === 0) resolve();
      });
      for (let i = 0; i < window; i++) send();
      // Whatever the kernel dropped is not waited for beyond a second past the deadline.
      setTimeout(resolve, seconds * 1000 + 1000);
    });
    const elapsed = (performance.now() - started) / 1000;
    sock.close();
    times.sort((a, b) => a - b);
    return { answersPerSec: times.length / elapsed, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), sent, answered: times.length };
  } finally {
    const exited = new Promise((r) => ctl.once("exit", r));
    ctl.kill("SIGTERM");
    await exited;
  }
}

const r1 = (n: number) => n.toFixed(1);

async function bench(v: { tasks: number; concurrent: number; nodes: number; port: number; "dns-seconds": number; "dns-window": number; json: boolean }): Promise<number> {
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const rows: StoreRow[] = [];
  for (const store of ["memory", "durable"] as const) rows.push(await storeRow(store, v, progress));
  progress("DNS: saturating the controller's server");
  const dns = await dnsSaturation(v.port + 10, v["dns-seconds"], v["dns-window"]);
  const [memory, durable] = rows as [StoreRow, StoreRow];
  const p99Ratio = durable.place.p99Ms / memory.place.p99Ms;
  if (v.json) {
    printJson({ rows, dns, p99Ratio });
    return 0;
  }
  process.stdout.write(`${v.tasks} POST /v1/tasks at ${v.concurrent} concurrent against ${v.nodes} nodes (no agents), then each task and its device released; two rounds\n\n`);
  process.stdout.write(
    formatTable(
      ["store", "place/s", "p50 ms", "p99 ms", "release/s", "p50 ms", "p99 ms", "failed"],
      rows.map((r) => [r.store, Math.round(r.place.perSec), r1(r.place.p50Ms), r1(r.place.p99Ms), Math.round(r.release.perSec), r1(r.release.p50Ms), r1(r.release.p99Ms), r.place.failed + r.release.failed]),
    ),
  );
  process.stdout.write("\nMemory of the scheduler after a full GC, heap / RSS in MiB:\n");
  process.stdout.write(
    formatTable(
      ["store", "start", `${v.tasks} placed`, "released (1)", "released (2)", "growth (2)-(1)", "journal MiB"],
      rows.map((r) => {
        const m = r.mem;
        const cell = (x: Mem) => `${r1(x.heapMiB)} / ${r1(x.rssMiB)}`;
        return [r.store, cell(m.start), cell(m.placed), cell(m.released1), cell(m.released2), `${r1(m.released2.heapMiB - m.released1.heapMiB)} / ${r1(m.released2.rssMiB - m.released1.rssMiB)}`, r.journalMiB === null ? "-" : r1(r.journalMiB)];
      }),
    ),
  );
  process.stdout.write(`\nDurable store's cost in p99 of POST /v1/tasks: ${p99Ratio.toFixed(2)}x (goal under 2x: ${p99Ratio < 2 ? "met" : "NOT met"})\n`);
  process.stdout.write(
    `\nDNS at saturation (${v["dns-window"]} queries in flight for ${v["dns-seconds"]} s): ${Math.round(dns.answersPerSec)} answers/s, p50 ${r1(dns.p50Ms)} ms, p99 ${r1(dns.p99Ms)} ms (${dns.answered} of ${dns.sent} answered)\n`,
  );
  return 0;
}
