// `fleximigrate bench loop` (or `npm run bench -- loop`): the closed loop on
// this machine (controller, OVS bridges per node joined by VXLAN, scheduler
// with its migration manager, agents edge1/edge2/cloud1; src/demo/loop-cluster.ts)
// moves a task whose workload is the image server holding SIZE MiB of touched
// memory edge→cloud, by post-copy and by stop-and-copy, while a device on one
// keep-alive connection sends it a request every 20 ms. Per move it prints
// what the device saw, the agent's frozen time, the network's reconfiguration,
// the scheduler's decision to COMPLETED and the manager's own overhead.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { MoveRecord } from "../src/api-types/scheduler.js";
import { numberFlag } from "../src/cli/args.js";
import { defineCommand } from "../src/cli/define.js";
import * as flag from "../src/cli/flags.js";
import { printJson } from "../src/cli/output.js";
import { LOOP_NODES, type RunningLoop, startLoop } from "../src/demo/loop-cluster.js";
import { cleanLeftovers } from "../src/loopnet/index.js";
import { waitFor } from "../src/wait.js";
import { loadDefaultModels } from "../scheduler/latency/defaults.js";
import { defaultEntryFor } from "../scheduler/service/workload-catalog.js";
import { LoopDevice } from "./loop-device.js";
import { deviceDowntime, emptyRow, type LoopRow, loopGoals, loopTable, rowOf } from "./loop-report.js";

const PREFIX = "fmq";
const DEVICE_EVERY_MS = 20;
/** 45 ms at 2 ms from the edge: about half a core there, and still feasible from the cloud (20 ms away). */
const BUDGET_MS = 45;
const STRATEGIES = ["postcopy", "stopcopy"] as const;
const FINAL = new Set(["COMPLETED", "FAILED"]);

export const command = defineCommand({
  name: "bench loop",
  description: `Runs the whole loop on this machine (controller, OVS bridges joined by VXLAN,
scheduler with its migration manager, agents edge1, edge2 and cloud1) and, for
each size, places a task whose workload is the image server holding SIZE MiB of
touched memory (FLEXIMIGRATE_WORKLOAD_BALLAST_MIB), lets a device send it a
request every ${DEVICE_EVERY_MS} ms on one keep-alive connection, and moves it edge→cloud,
by post-copy and by stop-and-copy. One row per move:
  device ms        downtime the device saw: longest gap between answers during
                   the move minus the normal interval (normal ms, the median gap before it)
  frozen ms        the agent's frozen time (source frozen until running on the destination)
  x frozen         device ms / frozen ms (goal for post-copy: <= 1.5)
  net ms           the controller's redirect: request until every switch confirmed
  total ms         the scheduler's decision (the move's request) until its final state
  decision>start   the manager's overhead before the source agent started
  resume>redirect  the manager's overhead after resume (goal: <= 10 ms)
  dump, transfer, restore  the agent's phases; conn: the device's TCP connections`,
  flags: {
    sizes: flag.parsed("LIST", "workload memory in MiB, comma-separated", mebibytes, { default: "256,1024" }),
    json: flag.boolean("print the rows as JSON"),
  },
  epilog: `Needs root (namespaces, Open vSwitch, CRIU 4.2.1 at /usr/local/sbin/criu); starts
Open vSwitch with scripts/services.sh when it does not run and leaves it running.
Host names start with '${PREFIX}'; everything the run made is removed at the end,
on an error and on Ctrl-C. Progress goes to stderr. Run it alone on the machine:
  flock /tmp/fm-integration.lock npm run bench -- loop`,
  async run(parsed) {
    if (process.getuid?.() !== 0) {
      process.stderr.write("bench loop needs root: it makes network namespaces and OVS bridges and runs CRIU (try sudo)\n");
      return 2;
    }
    const rows = await bench(parsed.values.sizes);
    if (rows === null) return 130;
    if (parsed.values.json) printJson(rows);
    else process.stdout.write(loopTable(rows) + loopGoals(rows));
    return rows.every((r) => r.state === "COMPLETED") ? 0 : 1;
  },
});

function mebibytes(raw: string): number[] {
  return raw.split(",").map((s) => numberFlag("sizes", s.trim(), 0, { min: 1, max: 16_384, integer: true }));
}

const log = (line: string) => process.stderr.write(`[bench loop] ${line}\n`);

/** The rows, or null when interrupted (everything removed either way). */
async function bench(sizes: number[]): Promise<LoopRow[] | null> {
  await promisify(execFile)("bash", ["scripts/services.sh", "start", "ovs"], { cwd: new URL("..", import.meta.url), timeout: 120_000 });
  const dir = await mkdtemp(`/tmp/${PREFIX}-bench-loop-`);
  let starting: Promise<RunningLoop> | undefined;
  let device: LoopDevice | undefined;
  let cleaned: Promise<void> | undefined;
  const cleanup = () =>
    (cleaned ??= (async () => {
      await device?.stop().catch(() => undefined);
      const loop = await starting?.catch(() => undefined);
      await loop?.stop().catch((err: Error) => log(`stopping the loop: ${err.message}`));
      // What a start cut short by Ctrl-C left behind, by our prefix.
      await cleanLeftovers(PREFIX).catch(() => undefined);
      // The agents' work folders (startLoop names them), left empty by the agents.
      await Promise.all(LOOP_NODES.map((n) => rm(`/dev/shm/${PREFIX}-${n.name}`, { recursive: true, force: true })));
      await rm(dir, { recursive: true, force: true });
    })());
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: removing everything the run made`);
    void cleanup().finally(() => process.exit(130));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const { catalog, models } = await writeInputs(dir, sizes);
    log("starting the loop (controller, network, scheduler, agents)");
    starting = startLoop({
      prefix: PREFIX,
      stateDir: join(dir, "state"),
      schedulerArgs: ["--workloads", catalog, "--models", models, "--min-residence", "0"],
      log: (line) => log(line),
    });
    const loop = await starting;
    const rows: LoopRow[] = [];
    let seq = 0;
    for (const size of sizes) {
      for (const strategy of STRATEGIES) {
        if (interrupted) return null;
        log(`${strategy}, ${size} MiB`);
        const id = `bench-${size}-${strategy}-${++seq}`;
        try {
          rows.push(await oneMove(loop, id, size, strategy, (d) => (device = d)));
        } catch (err) {
          if (interrupted) return null;
          log(`${strategy} ${size} MiB failed: ${(err as Error).message}`);
          rows.push(emptyRow(strategy, size, `failed: ${(err as Error).message.split("\n")[0]}`));
        } finally {
          await device?.stop().catch(() => undefined);
          device = undefined;
          await loop.scheduler.releaseTask(id, { timeoutMs: 60_000 }).catch(() => undefined);
        }
      }
    }
    return interrupted ? null : rows;
  } finally {
    // After Ctrl-C the handler's cleanup is this same one; it exits once done.
    await cleanup();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** A catalog with one image-server entry per size, and the profiled model of a small image under each name. */
async function writeInputs(dir: string, sizes: number[]): Promise<{ catalog: string; models: string }> {
  const base = defaultEntryFor();
  const { kind, a, b } = loadDefaultModels()["detect/small"]!;
  const catalog = Object.fromEntries(sizes.map((s) => [workloadName(s), { ...base, env: { ...base.env, FLEXIMIGRATE_WORKLOAD_BALLAST_MIB: String(s) } }]));
  const models = Object.fromEntries(sizes.map((s) => [`${workloadName(s)}/small`, { kind, a, b }]));
  const files = { catalog: join(dir, "workloads.json"), models: join(dir, "models.json") };
  await writeFile(files.catalog, JSON.stringify(catalog));
  await writeFile(files.models, JSON.stringify(models));
  return files;
}

const workloadName = (sizeMiB: number) => `ballast-${sizeMiB}`;

async function oneMove(loop: RunningLoop, id: string, size: number, strategy: LoopRow["strategy"], onDevice: (d: LoopDevice) => void): Promise<LoopRow> {
  const outcome = await loop.scheduler.submitTask(
    { id, device: `dev-${id}`, workload: workloadName(size), inputClass: "small", delayBudgetMs: BUDGET_MS },
    { timeoutMs: 120_000 },
  );
  if (outcome.outcome !== "placed") throw new Error(`task refused: ${outcome.refused.reason}`);
  const placed = outcome.placed;
  if (!placed.node.startsWith("edge")) throw new Error(`placed on ${placed.node}, not at the edge`);
  if (!placed.serviceIp || !placed.port) throw new Error(`${placed.node} gave the task no service address`);
  log(`  placed on ${placed.node} at ${placed.serviceIp}:${placed.port}, ${placed.cpuShare} cores`);

  const device = new LoopDevice(placed.serviceIp, placed.port, DEVICE_EVERY_MS);
  onDevice(device);
  device.start();
  await device.answersAfter(25);
  const moveStart = performance.timeOrigin + performance.now();
  const requested = await loop.scheduler.requestMove({ task: id, to: "cloud1", strategy });
  const record: MoveRecord = await waitFor(
    async () => {
      const m = await loop.scheduler.migration(requested.id);
      return FINAL.has(m.state ?? "") ? m : undefined;
    },
    { timeoutMs: 600_000, intervalMs: 100, what: `move ${requested.id} to a final state` },
  );
  const moveEnd = performance.timeOrigin + performance.now();
  log(`  ${record.state} (${record.strategy ?? strategy}) in ${record.metrics?.totalMs ?? "?"} ms`);
  await device.answersAfter(15, 60_000).catch((err: Error) => log(`  after the move: ${err.message}`));
  const seen = await device.stop();
  for (const e of seen.errors) log(`  device: ${e.code} ${Math.round(e.at - moveStart)} ms after the move's request`);
  return rowOf(
    {
      strategy,
      sizeMiB: size,
      state: record.state ?? null,
      connections: seen.connections,
      deviceErrors: seen.errors.map((e) => e.code),
      counterContinued: device.counterContinued(),
      ...(record.state === "COMPLETED" ? {} : { note: record.error ?? "not completed" }),
    },
    record.metrics,
    deviceDowntime(seen.answersAt, moveStart, moveEnd),
  );
}
