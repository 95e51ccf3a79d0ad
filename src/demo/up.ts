// `fleximigrate up`: the whole system on one machine. As root, the closed
// loop for real (up-loop.ts). Otherwise the scheduler-only demo: starts the
// scheduler (required) and the controller (demo-services.ts), registers the
// demo nodes, then drives a seeded IoT load and shows every placement, refusal
// and move live (demo-events.ts). Stops its children by PID.
import type WebSocket from "ws";
import { CliError } from "../cli/command.js";
import { defineCommand } from "../cli/define.js";
import * as flag from "../cli/flags.js";
import { SchedulerClient } from "../clients/scheduler.js";
import { ServiceError } from "../http/client-errors.js";
import { DEMO_NODES } from "./demo-cluster.js";
import { countEvent, followEvents, newCounts } from "./demo-events.js";
import { DemoLoad } from "./demo-load.js";
import { DemoServices, Stopped } from "./demo-services.js";
import { eventLine } from "./event-line.js";
import { runLoopUp } from "./up-loop.js";

export const command = defineCommand({
  name: "up",
  description: `As root: FlexiMigrate's closed loop for real. The controller, Open vSwitch bridges
for two edge sites and a cloud joined by VXLAN, the scheduler with its migration
manager, and an agent per node; IoT devices submit tasks whose workloads run in
their own network namespaces and send them images. When the edge fills, tasks
move to the cloud by live post-copy migrations while their devices keep sending;
every placement, migration (with its frozen time and network reconfiguration
time) and the devices' latency against their budgets are printed as they happen.
Without root (or with --no-loop): the scheduler and controller with a demo load
whose moves are recorded only. Runs until Ctrl-C.`,
  flags: {
    duration: flag.number("S", "stop after S seconds of demo load (after startup), exit 0", { min: 0 }),
    json: flag.boolean("one JSON object per line instead of text"),
    "no-controller": flag.boolean("do not start the controller"),
    "no-agents": flag.boolean("do not start agents; register the demo nodes over the API"),
    "no-loop": flag.boolean("as root too: the scheduler-only demo (moves recorded, nothing runs) instead of the closed loop"),
    "base-port": flag.number("N", "scheduler port; every other port shifts with it:\ncontroller 8181/6653 (DNS 5353), agents 7701-7703", { integer: true, min: 1, default: 8088 }),
    seed: flag.number("N", "seed of the demo load", { integer: true, default: 1 }),
    testbed: flag.boolean("as root: run the loop on the testbed (mininet/testbed.json: a switch per site,\nthe WAN delay relay, agents inside host namespaces), as `testbed run` and its tests do"),
    "testbed-definition": flag.string("FILE", "the testbed definition for --testbed (default mininet/testbed.json)"),
    interval: flag.number("MS", "time between two demo actions", { min: 10, default: 300 }),
  },
  async run(parsed) {
    const v = parsed.values;
    const ports = shiftedPorts(v["base-port"] - 8088);
    const root = process.getuid?.() === 0;
    const loop = root && !v["no-loop"] && !v["no-agents"] && !v["no-controller"];
    if (!root && !v["no-agents"]) {
      process.stderr.write(
        "up: not root: tasks' workloads cannot run here (they need network namespaces, Open vSwitch and CRIU), so no agents start;\n" +
          "up: the scheduler and the controller run, and moves are recorded only. Run as root for the closed loop.\n",
      );
    }
    // Outside the loop no bridge exists for a workload's own network: no agent could run a task, so none starts.
    return new Up(v.json, ports, {
      loop,
      controller: !v["no-controller"],
      durationMs: (v.duration ?? 0) * 1000,
      testbed: v.testbed ? { prefix: "fmup", basePort: v["base-port"], ...(v["testbed-definition"] ? { definitionFile: v["testbed-definition"] } : {}) } : undefined,
      seed: v.seed,
      intervalMs: v.interval,
    }).run();
  },
});

type Ports = ReturnType<typeof shiftedPorts>;

function shiftedPorts(offset: number) {
  const ports = {
    scheduler: 8088 + offset,
    controllerHttp: 8181 + offset,
    openflow: 6653 + offset,
    dns: 5353 + offset,
    agents: DEMO_NODES.map((n) => n.agentPort + offset),
  };
  const all = [ports.scheduler, ports.controllerHttp, ports.openflow, ports.dns, ...ports.agents];
  const bad = all.find((p) => p < 1 || p > 65535);
  if (bad !== undefined) throw new CliError(`--base-port: shifts a port to ${bad}, outside 1-65535`);
  return ports;
}

interface UpOptions {
  /** The closed loop for real (root): up-loop.ts. */
  loop: boolean;
  controller: boolean;
  durationMs: number;
  testbed: { prefix: string; basePort: number; definitionFile?: string } | undefined;
  seed: number;
  intervalMs: number;
}

class Up {
  private stopRequested: (() => void) | undefined;
  private readonly stopped: Promise<void>;
  private stopReason = "";
  /** Set when the scheduler died on its own: `up` then fails. */
  private schedulerDied: string | undefined;
  private readonly counts = newCounts();
  private readonly services: DemoServices;

  constructor(
    private readonly json: boolean,
    private readonly ports: Ports,
    private readonly opts: UpOptions,
  ) {
    this.stopped = new Promise((resolve) => {
      this.stopRequested = resolve;
    });
    this.services = new DemoServices(ports, {
      until: (p) => this.until(p),
      emit: (record, text) => this.emit(record, text),
      emitError: (record, text) => this.emitError(record, text),
      schedulerDied: (why) => {
        this.schedulerDied = why;
        this.stop("the scheduler exited");
      },
    });
  }

  async run(): Promise<number> {
    const onSignal = (sig: NodeJS.Signals) => this.stop(`${sig}`);
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    // A closed output (`up | head`) stops the demo instead of crashing it.
    const onOutputError = () => this.stop("output closed");
    process.stdout.on("error", onOutputError);
    // Last resort if `up` dies anyway: no child outlives it.
    const onExit = () => this.services.killAll();
    process.on("exit", onExit);
    const detach = () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      process.off("exit", onExit);
    };
    if (this.opts.loop) {
      if (this.opts.durationMs > 0) setTimeout(() => this.stop("duration reached"), this.opts.durationMs + 5_000).unref();
      try {
        return await runLoopUp({
          json: this.json,
          durationMs: this.opts.durationMs,
          stopped: this.stopped,
          ...(this.opts.testbed ? { testbed: this.opts.testbed } : {}),
          emit: (record, text) => this.emit({ at: new Date().toISOString(), ...record }, text || eventLine({ at: new Date().toISOString(), ...record })),
        });
      } finally {
        detach();
      }
    }
    let socket: WebSocket | undefined;
    let failure: unknown;
    let children: Awaited<ReturnType<DemoServices["stop"]>> = [];
    try {
      const schedulerUrl = await this.services.startScheduler();
      // Follow events first, so that the nodes' registrations show too.
      socket = await this.until(
        followEvents(schedulerUrl, this.services.adminTls, (event) => {
          countEvent(this.counts, event);
          this.emit(event, eventLine(event));
        }),
      );
      const controllerUrl = this.opts.controller ? await this.services.startController() : null;
      const tls = this.services.adminTls;
      const scheduler = new SchedulerClient(schedulerUrl, tls ? { tls } : {});
      await this.until(this.ensureNodes(scheduler));
      this.announce(schedulerUrl, controllerUrl);
      if (this.opts.durationMs > 0) setTimeout(() => this.stop("duration reached"), this.opts.durationMs).unref();
      await this.drive(scheduler);
    } catch (err) {
      if (!(err instanceof Stopped)) {
        failure = err;
        this.stop("error");
      }
    } finally {
      detach();
      socket?.close();
      children = await this.services.stop();
    }
    this.summary(children);
    if (this.schedulerDied) throw new CliError(this.schedulerDied, 1);
    if (failure) throw failure;
    return 0;
  }

  private stop(reason: string): void {
    if (!this.stopReason) this.stopReason = reason;
    this.stopRequested?.();
  }

  /** Races a startup step against Ctrl-C. */
  private until<T>(p: Promise<T>): Promise<T> {
    return Promise.race([p, this.stopped.then(() => Promise.reject(new Stopped()))]);
  }

  /**
   * Registers the demo nodes with the demo's sizes (small edge nodes, a large
   * cloud); a node already registered with another spec is replaced.
   */
  private async ensureNodes(scheduler: SchedulerClient): Promise<void> {
    const known = new Map((await scheduler.nodes()).map((n) => [n.name, n]));
    for (const { agentPort: _port, ...spec } of DEMO_NODES) {
      const registered = known.get(spec.name);
      if (registered && registered.cpus === spec.cpus && registered.netDelayMs === spec.netDelayMs && registered.tier === spec.tier) continue;
      const body = registered?.endpoint ? { ...spec, endpoint: registered.endpoint } : spec;
      await scheduler.registerNode(body).catch((err: unknown) => {
        throw err instanceof ServiceError ? new CliError(`cannot register node ${spec.name}: ${err.serviceMessage}`, 1) : err;
      });
    }
  }

  private announce(schedulerUrl: string, controllerUrl: string | null): void {
    const urls = {
      scheduler: schedulerUrl,
      dashboard: `${schedulerUrl}/ui/`,
      openapi: `${schedulerUrl}/openapi.json`,
      events: `${schedulerUrl.replace(/^http/, "ws")}/v1/events`,
      controller: controllerUrl,
      agents: {},
    };
    const lines = [
      "",
      `FlexiMigrate is up${this.opts.durationMs ? ` for ${this.opts.durationMs / 1000} s` : "; Ctrl-C stops it"}.`,
      `  dashboard       ${urls.dashboard}  (live: topology, nodes, migrations, flows and DNS, devices)`,
      `  scheduler API   ${urls.scheduler}/v1  (nodes, devices, tasks, placements, migrations, models)`,
      `  OpenAPI         ${urls.openapi}`,
      `  events          ${urls.events}`,
      `  controller      ${controllerUrl ? `${controllerUrl}/openapi.json  (OpenFlow port ${this.ports.openflow}, DNS port ${this.ports.dns})` : "not running"}`,
      `  try: curl ${urls.scheduler}/v1/placements`,
      "",
    ];
    this.emit({ type: "up", urls }, lines.join("\n"));
  }

  private async drive(scheduler: SchedulerClient): Promise<void> {
    const [models, nodes] = await Promise.all([scheduler.models(), scheduler.nodes()]);
    const load = new DemoLoad(nodes, models, this.opts.seed);
    if (load.caveat) this.emitError({ type: "demo-caveat", reason: load.caveat }, `the demo cannot force moves here: ${load.caveat}`);
    let stopping = false;
    void this.stopped.then(() => {
      stopping = true;
    });
    while (!stopping) {
      const action = load.next();
      if (action.kind === "submit") {
        // A refusal is part of the demo; any other failure of the call ends it.
        const answer = await scheduler.submitTask(action.task);
        const placed = answer.outcome === "placed" ? answer.placed : undefined;
        load.observe(action, {
          ...(placed ? { id: placed.task.id } : {}),
          node: placed?.node ?? null,
          case: placed?.case ?? null,
          migrations: placed?.migrations.length ?? 0,
        });
      } else {
        await scheduler.releaseTask(action.id);
      }
      await Promise.race([new Promise((r) => setTimeout(r, this.opts.intervalMs)), this.stopped]);
    }
  }

  private summary(children: Array<{ name: string; pid: number | undefined; exitCode: number | null }>): void {
    const c = this.counts;
    this.emit(
      { type: "stopped", reason: this.stopReason || "error", counts: c, children },
      `\nstopped (${this.stopReason || "error"}): ${c.placed} placed (${c.case3} after moves), ${c.moves} moves requested, ${c.refused} refused, ${c.released} released; ${children.length} child process(es) stopped`,
    );
  }

  private emit(record: Record<string, unknown>, text: string): void {
    if (this.json) printJson1(record);
    else process.stdout.write(`${text}\n`);
  }

  private emitError(record: Record<string, unknown>, text: string): void {
    if (this.json) printJson1(record);
    else process.stderr.write(`up: ${text}\n`);
  }
}

/** One JSON object per line (NDJSON), so that `--json` output can be streamed. */
function printJson1(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
