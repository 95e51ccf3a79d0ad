// `fleximigrate bench store` (or `npm run bench -- store`): placements through
// the scheduler's API with its state in the embedded store (fsynced journal
// under --state-dir) and in etcd (a real single-member etcd on loopback, its
// data on the same disk), side by side in one run, with the in-memory store as
// the floor. Each row: N POST /v1/tasks at C concurrent (one device each),
// then their releases; placements/s, p50 and p99, and p99 against embedded.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { defineCommand } from "../src/cli/define.js";
import * as flag from "../src/cli/flags.js";
import { formatTable, printJson } from "../src/cli/output.js";
import { startEtcd } from "../test/helpers/etcd.js";
import { call, load, type Round, SchedulerChild } from "./api.js";

type Store = "memory" | "embedded" | "etcd";

interface Row {
  store: Store;
  place: Round;
  release: Round;
}

export const command = defineCommand({
  name: "bench store",
  description: `POST /v1/tasks and their releases through the scheduler with its state in
memory, in the embedded journal and in a real etcd, side by side: placements/s,
p50 and p99 latency.`,
  flags: {
    tasks: flag.number("N", "tasks placed (and released) per store", { integer: true, min: 1, default: 5_000 }),
    concurrent: flag.number("N", "requests in flight", { integer: true, min: 1, default: 50 }),
    nodes: flag.number("N", "registered nodes", { integer: true, min: 1, default: 20 }),
    port: flag.number("N", "loopback port of the scheduler", { integer: true, min: 1024, default: 25480 }),
    json: flag.boolean("print the rows as JSON"),
  },
  epilog: "Needs the etcd binary (Debian's etcd-server) for the etcd row; that row says why when it cannot run.",
  async run(parsed) {
    const v = parsed.values;
    const rows: Array<Row | { store: Store; unavailable: string }> = [];
    for (const store of ["memory", "embedded", "etcd"] as const) {
      process.stderr.write(`[bench] ${store}\n`);
      try {
        rows.push(await storeRow(store, v));
      } catch (err) {
        if (store !== "etcd") throw err;
        rows.push({ store, unavailable: (err as Error).message.split("\n")[0]! });
      }
    }
    if (v.json) {
      printJson(rows);
      return 0;
    }
    const embedded = rows.find((r): r is Row => r.store === "embedded" && "place" in r);
    const f = (x: number) => x.toFixed(1);
    process.stdout.write(
      formatTable(
        ["store", "placements/s", "p50 ms", "p99 ms", "p99 vs embedded", "releases/s", "release p99 ms", "failed"],
        rows.map((r) =>
          "place" in r
            ? [r.store, Math.round(r.place.perSec), f(r.place.p50Ms), f(r.place.p99Ms), embedded ? `${(r.place.p99Ms / embedded.place.p99Ms).toFixed(2)}x` : "-", Math.round(r.release.perSec), f(r.release.p99Ms), r.place.failed + r.release.failed]
            : [r.store, "-", "-", "-", "-", "-", "-", r.unavailable],
        ),
      ),
    );
    return rows.some((r) => "place" in r && r.place.failed + r.release.failed > 0) ? 1 : 0;
  },
});

async function storeRow(store: Store, v: { tasks: number; concurrent: number; nodes: number; port: number }): Promise<Row> {
  const dir = store === "embedded" ? mkdtempSync(path.join(tmpdir(), "fmstore-bench-")) : undefined;
  const etcd = store === "etcd" ? await startEtcd("fmstore-bench-etcd") : undefined;
  const s = await SchedulerChild.start(v.port, dir ?? etcd?.url);
  const base = `http://127.0.0.1:${v.port}`;
  try {
    for (let n = 0; n < v.nodes; n++) {
      const status = await call(base, "POST", "/v1/nodes", { name: `bench-${n}`, tier: n % 2 ? "cloud" : "edge", cpus: 4096, netDelayMs: n % 2 ? 40 : 5 });
      if (status !== 201) throw new Error(`node registration answered ${status}`);
    }
    const task = (i: number) => ({ id: `s-${i}`, device: `dev-s-${i}`, workload: "detect", inputClass: "small", delayBudgetMs: 3000 });
    // Warm-up: JIT, connection pools, etcd's first compaction of nothing.
    await load(300, v.concurrent, async (i) => (await call(base, "POST", "/v1/tasks", { ...task(i), id: `w-${i}`, device: `dev-w-${i}` })) === 201);
    const place = await load(v.tasks, v.concurrent, async (i) => (await call(base, "POST", "/v1/tasks", task(i))) === 201);
    const release = await load(v.tasks, v.concurrent, async (i) => (await call(base, "DELETE", `/v1/tasks/s-${i}`)) === 200);
    return { store, place, release };
  } finally {
    await s.stop();
    await etcd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
