// `up` as root: the closed loop for real. The loop harness (loop-cluster.ts)
// starts the controller, the OVS bridges of two edge sites and a cloud joined
// by VXLAN, the scheduler with its migration manager, and one agent per node;
// then IoT devices (src/devices) submit tasks whose workloads run in their own
// namespaces and send them real images. Relaxed devices fill the edge first;
// tight ones then need edge room, so the scheduler moves relaxed tasks to the
// cloud by live post-copy migrations while their devices keep sending.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type WebSocket from "ws";
import { runFleet } from "../devices/fleet.js";
import { overallJson, resultsTable, Tally } from "../devices/report.js";
import type { DeviceSpec } from "../devices/device.js";
import { loadDefinition } from "../testbed/definition.js";
import { type RunningTestbed, startTestbed } from "../testbed/testbed.js";
import { followEvents as followSchedulerEvents } from "./demo-events.js";
import { ensureOvs } from "./services.js";
import { type RunningLoop, startLoop } from "./loop-cluster.js";


export interface LoopUpOptions {
  json: boolean;
  /** 0: until Ctrl-C. */
  durationMs: number;
  /** Resolves when the user asked to stop (Ctrl-C). */
  stopped: Promise<void>;
  emit(record: Record<string, unknown>, text: string): void;
  /** Run the loop on the testbed (src/testbed: mininet/testbed.json's sites, the WAN relay, agents in host namespaces) instead of one bridge per node. */
  testbed?: { definitionFile?: string; prefix: string; basePort: number };
}

/**
 * The devices: five relaxed ones (100 ms: about 0.2 cores on the edge, inside
 * the profiled range) fill edge1; two tight ones (45 ms: about 0.5 cores) then
 * fit on no edge node, so the scheduler moves relaxed tasks to the cloud.
 */
export function loopDevices(durationMs: number, spacingMs = 1500): DeviceSpec[] {
  const stopMs = durationMs > 0 ? durationMs : Number.MAX_SAFE_INTEGER;
  const relaxed = Array.from({ length: 5 }, (_, i) => ({
    id: `cam-${i + 1}`,
    task: { workload: "detect", inputClass: "small", delayBudgetMs: 100 },
    startMs: i * spacingMs,
    stopMs,
  }));
  const tight = Array.from({ length: 2 }, (_, i) => ({
    id: `drone-${i + 1}`,
    task: { workload: "detect", inputClass: "small", delayBudgetMs: 45 },
    startMs: (5 + 3 * i) * spacingMs,
    stopMs,
  }));
  return [...relaxed, ...tight];
}

export async function runLoopUp(opts: LoopUpOptions): Promise<number> {
  await ensureOvs();
  const log = (line: string) => opts.emit({ type: "loop", message: line }, `loop      ${line}`);
  // A run of its own: the scheduler must not restore an earlier run's tasks, whose agents are gone.
  const stateDir = mkdtempSync(join(tmpdir(), "fleximigrate-up-"));
  let loop: RunningLoop | undefined;
  let testbed: RunningTestbed | undefined;
  let socket: WebSocket | undefined;
  const abort = new AbortController();
  void opts.stopped.then(() => abort.abort());
  try {
    if (opts.testbed) {
      const tb = await startTestbed({
        prefix: opts.testbed.prefix,
        definition: loadDefinition(opts.testbed.definitionFile),
        basePort: opts.testbed.basePort,
        stateDir,
        schedulerArgs: ["--min-residence", "0"],
        log,
      });
      testbed = tb;
      loop = tb.loop;
    } else loop = await startLoop({ prefix: "fmup", stateDir, schedulerArgs: ["--min-residence", "0"], log });
    const running = loop;
    socket = await followEvents(running, opts);
    announce(running, opts);
    const tally = new Tally();
    const started = Date.now();
    const progress = setInterval(() => {
      const p = tally.json(Date.now() - started).progress as Record<string, number>;
      opts.emit({ type: "devices", ...p }, `devices   ${p.sent} requests sent, ${p.answered} answered, ${p.late} over budget, ${p.errors} failed`);
    }, 5000);
    const specs = loopDevices(opts.durationMs);
    const budgets = new Map(specs.map((s) => [s.id, s.task.delayBudgetMs]));
    try {
      const results = await runFleet(specs, {
        scheduler: running.scheduler,
        rate: 2,
        requestTimeoutMs: 30_000,
        keep: false,
        signal: abort.signal,
        onOutcome: (device, o) => tally.count(o.ok, !o.ok || o.latencyMs > (budgets.get(device) ?? Number.POSITIVE_INFINITY)),
      });
      opts.emit({ type: "devices-done", ...overallJson(results) }, `\n${resultsTable(results)}`);
    } finally {
      clearInterval(progress);
    }
    return 0;
  } finally {
    socket?.close();
    if (testbed) await testbed.stop();
    else await loop?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** Shows every scheduler event; a completed move also with the metrics its record holds (what the move cost). */
function followEvents(loop: RunningLoop, opts: LoopUpOptions): Promise<WebSocket> {
  return followSchedulerEvents(loop.schedulerUrl, loop.tls, (e) => {
    if (e.type === "migration.transition" && e.state === "COMPLETED" && typeof e.migration === "string") {
      void loop.scheduler.migration(e.migration).then(
        (m) => opts.emit({ type: "migration.completed", at: e.at, task: e.task, from: m.from, to: m.to, strategy: m.strategy, metrics: m.metrics }, ""),
        () => undefined,
      );
    }
    opts.emit(e, "");
  });
}

function announce(loop: RunningLoop, opts: LoopUpOptions): void {
  const lines = [
    "",
    `FlexiMigrate's closed loop is up${opts.durationMs ? ` for ${opts.durationMs / 1000} s` : "; Ctrl-C stops it"}.`,
    `  dashboard       ${loop.schedulerUrl}/ui/  (topology, nodes, migrations, flows and DNS, devices; live)`,
    `  scheduler API   ${loop.schedulerUrl}/v1  (tasks, placements, migrations)   try: fleximigrate migrations --scheduler ${loop.schedulerUrl}`,
    `  controller      ${loop.controllerUrl}/v1  (switches, flows, redirects, DNS)`,
    ...[...loop.agents].map(([n, u]) => `  agent ${n.padEnd(9)} ${u}  bridge ${loop.plan.bridges.find((b) => b.node === n)?.name}`),
    `  devices reach service IPs in ${loop.plan.serviceCidr} through ${loop.plan.gateway.port.port} on ${loop.plan.gateway.port.bridge}`,
    "",
  ];
  opts.emit({ type: "up", urls: { scheduler: loop.schedulerUrl, dashboard: `${loop.schedulerUrl}/ui/`, controller: loop.controllerUrl, agents: Object.fromEntries(loop.agents) } }, lines.join("\n"));
}
