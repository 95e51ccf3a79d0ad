// `fleximigrate up`: the whole system on one machine. Starts the scheduler
// (required), the controller and local agents when their commands exist and
// start, registers demo nodes the agents did not, then drives a seeded IoT load
// and shows every placement, refusal and move live. Stops its children by PID.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { CliError } from "../cli/command.js";
import { defineCommand } from "../cli/define.js";
import * as flag from "../cli/flags.js";
import { SchedulerClient } from "../clients/scheduler.js";
import { ServiceError } from "../http/client-errors.js";
import { wsTlsOptions } from "../http/tls-fetch.js";
import { Child, waitForHttp } from "./children.js";
import { type DemoTrust, demoTrust } from "./demo-trust.js";
import { DEMO_NODES } from "./demo-cluster.js";
import { type DemoNode, DemoLoad } from "./demo-load.js";
import { eventLine } from "./event-line.js";
import { runLoopUp } from "./up-loop.js";

const ROOT = new URL("../../", import.meta.url);
const moduleExists = (path: string) => existsSync(fileURLToPath(new URL(path, ROOT)));

const STARTUP_MS = 60_000;
const AGENT_REGISTRATION_MS = 10_000;

class Stopped extends Error {}

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
    return new Up(v.json, ports, {
      loop,
      controller: !v["no-controller"],
      // Outside the loop no bridge exists for a workload's own network: no agent could run a task.
      agents: false,
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
  agents: boolean;
  durationMs: number;
  testbed: { prefix: string; basePort: number; definitionFile?: string } | undefined;
  seed: number;
  intervalMs: number;
}

class Up {
  private readonly children: Child[] = [];
  private stopRequested: (() => void) | undefined;
  private readonly stopped: Promise<void>;
  private stopReason = "";
  /** Set when the scheduler died on its own: `up` then fails. */
  private schedulerDied: string | undefined;
  private readonly counts = { placed: 0, refused: 0, moves: 0, released: 0, case3: 0 };
  /** The scheduler's state folder, this run's own (made when the scheduler starts, removed at the end). */
  private stateDir: string | undefined;
  /** The run's CA and certificates, in its state folder: every service speaks mutual TLS. */
  private trust: DemoTrust | undefined;

  constructor(
    private readonly json: boolean,
    private readonly ports: Ports,
    private readonly opts: UpOptions,
  ) {
    this.stopped = new Promise((resolve) => {
      this.stopRequested = resolve;
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
    const onExit = () => {
      for (const c of this.children) if (c.running && c.pid) c.kill();
    };
    process.on("exit", onExit);
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
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        process.off("exit", onExit);
      }
    }
    let socket: WebSocket | undefined;
    let failure: unknown;
    try {
      const schedulerUrl = await this.startScheduler();
      // Follow events first, so that the agents' registrations show too.
      socket = await this.until(this.followEvents(schedulerUrl));
      const controllerUrl = this.opts.controller ? await this.startController() : null;
      const agents = this.opts.agents ? await this.startAgents(schedulerUrl) : [];
      const scheduler = new SchedulerClient(schedulerUrl, this.trust ? { tls: this.trust.admin } : {});
      await this.until(this.ensureNodes(scheduler, agents.length > 0));
      this.announce(schedulerUrl, controllerUrl, agents);
      if (this.opts.durationMs > 0) setTimeout(() => this.stop("duration reached"), this.opts.durationMs).unref();
      await this.drive(scheduler);
    } catch (err) {
      if (!(err instanceof Stopped)) {
        failure = err;
        this.stop("error");
      }
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      process.off("exit", onExit);
      socket?.close();
      await Promise.all(this.children.map((c) => c.stop()));
      if (this.stateDir) rmSync(this.stateDir, { recursive: true, force: true });
    }
    this.summary();
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

  private spawn(name: string, args: string[]): Child {
    const child = new Child(name, args);
    this.children.push(child);
    this.emit({ type: "child-started", name, pid: child.pid, args }, `started   ${name} (pid ${child.pid})`);
    return child;
  }

  private async startScheduler(): Promise<string> {
    // The demo load lasts seconds: the service's 10 s min-residence would hold back every move it means to show.
    // A state folder of this run's own: the scheduler must not restore an earlier demo's tasks.
    this.stateDir = mkdtempSync(join(tmpdir(), "fleximigrate-up-"));
    this.trust = demoTrust(this.stateDir, DEMO_NODES.map((n) => n.name));
    const child = this.spawn("scheduler", ["scheduler", "--port", String(this.ports.scheduler), "--host", "127.0.0.1", "--min-residence", "0", "--state-dir", this.stateDir, ...this.trust.args]);
    try {
      const m = await this.until(child.waitForLine(/^scheduler listening on (\S+)/, STARTUP_MS));
      void child.exited.then((code) => {
        if (this.stopReason) return; // stopped by us
        this.schedulerDied = `the scheduler exited (${code === null ? "killed by a signal" : `code ${code}`}):\n${child.tail()}`;
        this.stop("the scheduler exited");
      });
      return m[1]!;
    } catch (err) {
      if (err instanceof Stopped) throw err;
      throw new CliError(`the scheduler did not start: ${(err as Error).message}\n${child.tail()}`, 1);
    }
  }

  private async startController(): Promise<string | null> {
    if (!moduleExists("controller/cli/serve.ts")) return this.skipped("controller", "not built yet (no controller/cli/serve.ts)");
    const p = this.ports;
    const child = this.spawn("controller", [
      "controller",
      "--http-port",
      String(p.controllerHttp),
      "--openflow-port",
      String(p.openflow),
      "--dns-port",
      String(p.dns),
      // This run's own state folder (made by startScheduler, which runs first): no earlier demo's records.
      "--state-dir",
      join(this.stateDir ?? mkdtempSync(join(tmpdir(), "fleximigrate-up-")), "controller"),
      ...this.trustArgs(),
    ]);
    const url = `${this.scheme()}://127.0.0.1:${p.controllerHttp}`;
    return (await this.until(this.ready(child, url))) ? url : null;
  }

  private async startAgents(schedulerUrl: string): Promise<Array<{ name: string; url: string }>> {
    if (!moduleExists("edge-agent/cli/serve.ts")) {
      this.skipped("agents", "not built yet (no edge-agent/cli/serve.ts)");
      return [];
    }
    const started = DEMO_NODES.map((n, i) => {
      const listen = `127.0.0.1:${this.ports.agents[i]}`;
      const child = this.spawn(`agent ${n.name}`, [
        "agent",
        "--node",
        n.name,
        "--tier",
        n.tier,
        "--listen",
        listen,
        "--scheduler",
        schedulerUrl,
        "--net-delay-ms",
        String(n.netDelayMs),
        ...this.trustArgs(),
      ]);
      return { name: n.name, url: `${this.scheme()}://${listen}`, child };
    });
    const up = await this.until(Promise.all(started.map((a) => this.ready(a.child, a.url))));
    return started.filter((_, i) => up[i]).map(({ name, url }) => ({ name, url }));
  }

  /** True when the child answers HTTP; else reports it with its output's tail, stops it, and `up` goes on. */
  private async ready(child: Child, url: string): Promise<boolean> {
    if (await waitForHttp(child, url, STARTUP_MS, this.trust?.admin)) return true;
    const why = child.running ? `no answer on ${url} after ${STARTUP_MS / 1000} s` : `exited with code ${child.exitCode}`;
    await child.stop();
    this.emitError({ type: "child-failed", name: child.name, reason: why, tail: child.tail() }, `${child.name} did not start (${why}); going on without it:\n${indent(child.tail())}`);
    return false;
  }

  private trustArgs(): string[] {
    return this.trust?.args ?? ["--insecure"];
  }

  private scheme(): "http" | "https" {
    return this.trust ? "https" : "http";
  }

  private skipped(name: string, why: string): null {
    this.emit({ type: "child-skipped", name, reason: why }, `skipped   ${name}: ${why}`);
    return null;
  }

  /**
   * Registers the demo nodes that no agent registered (after giving the agents time to),
   * and gives the agents' nodes the demo's sizes: all agents share this one machine, so
   * each would report its cores; the demo wants small edge nodes and a large cloud.
   */
  private async ensureNodes(scheduler: SchedulerClient, agentsRunning: boolean): Promise<void> {
    const deadline = Date.now() + (agentsRunning ? AGENT_REGISTRATION_MS : 0);
    let known = new Map<string, DemoNode & { endpoint?: string }>();
    for (;;) {
      const nodes = await scheduler.nodes();
      known = new Map(nodes.map((n) => [n.name, n]));
      if (DEMO_NODES.every((n) => known.has(n.name)) || Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    for (const { agentPort: _port, ...spec } of DEMO_NODES) {
      const registered = known.get(spec.name);
      if (registered && registered.cpus === spec.cpus && registered.netDelayMs === spec.netDelayMs && registered.tier === spec.tier) continue;
      // Re-registering an idle node with another spec replaces it; its agent endpoint stays.
      const body = registered?.endpoint ? { ...spec, endpoint: registered.endpoint } : spec;
      await scheduler.registerNode(body).catch((err: unknown) => {
        throw err instanceof ServiceError ? new CliError(`cannot register node ${spec.name}: ${err.serviceMessage}`, 1) : err;
      });
    }
  }

  private async followEvents(schedulerUrl: string): Promise<WebSocket> {
    const socket = new WebSocket(`${schedulerUrl.replace(/^http/, "ws")}/v1/events`, wsTlsOptions(this.trust?.admin, "scheduler"));
    socket.on("message", (raw) => {
      let event: Record<string, unknown>;
      try {
        event = JSON.parse(String(raw));
      } catch {
        return;
      }
      this.count(event);
      if (this.json) printJson1(event);
      else process.stdout.write(`${eventLine(event)}\n`);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", (err) => reject(new CliError(`cannot follow the scheduler's events: ${err.message}`, 1)));
    });
    // Once open, a broken stream only means the scheduler is going away, which is handled where it exits.
    socket.on("error", () => {});
    return socket;
  }

  private count(e: Record<string, unknown>): void {
    if (e.type === "placed") {
      this.counts.placed++;
      if (e.case === 3) this.counts.case3++;
    } else if (e.type === "refused") this.counts.refused++;
    else if (e.type === "migration-requested") this.counts.moves++;
    else if (e.type === "released") this.counts.released++;
  }

  private announce(schedulerUrl: string, controllerUrl: string | null, agents: Array<{ name: string; url: string }>): void {
    const urls = {
      scheduler: schedulerUrl,
      dashboard: `${schedulerUrl}/ui/`,
      openapi: `${schedulerUrl}/openapi.json`,
      events: `${schedulerUrl.replace(/^http/, "ws")}/v1/events`,
      controller: controllerUrl,
      agents: Object.fromEntries(agents.map((a) => [a.name, a.url])),
    };
    const lines = [
      "",
      `FlexiMigrate is up${this.opts.durationMs ? ` for ${this.opts.durationMs / 1000} s` : "; Ctrl-C stops it"}.`,
      `  dashboard       ${urls.dashboard}  (live: topology, nodes, migrations, flows and DNS, devices)`,
      `  scheduler API   ${urls.scheduler}/v1  (nodes, devices, tasks, placements, migrations, models)`,
      `  OpenAPI         ${urls.openapi}`,
      `  events          ${urls.events}`,
      `  controller      ${controllerUrl ? `${controllerUrl}/openapi.json  (OpenFlow port ${this.ports.openflow}, DNS port ${this.ports.dns})` : "not running"}`,
      ...agents.map((a) => `  agent ${a.name.padEnd(9)} ${a.url}`),
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

  private summary(): void {
    const c = this.counts;
    const children = this.children.map((ch) => ({ name: ch.name, pid: ch.pid, exitCode: ch.exitCode ?? null }));
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

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
}
