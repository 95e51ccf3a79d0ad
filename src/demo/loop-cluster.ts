// The closed loop on one machine, as `up` and the end-to-end tests run it:
// the controller, the loop's network (src/loopnet: one OVS bridge per node,
// sites joined by VXLAN, a gateway port for the root namespace), the
// scheduler with its migration manager, and one agent per node attached to
// its node's bridge. Every part is a child process of this checkout, started
// in dependency order and stopped by PID; the network is removed by exact name.
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { ControllerClient } from "../clients/controller.js";
import { SchedulerClient } from "../clients/scheduler.js";
import { applyPlan, cleanLeftovers, type LoopnetPlan, planLoopnet, removePlan } from "../loopnet/index.js";
import { waitFor } from "../wait.js";
import { AgentClient } from "../clients/agent.js";
import type { ClientTls } from "../http/tls-fetch.js";
import { Child } from "./children.js";
import { demoTrust } from "./demo-trust.js";
import type { WorkloadView } from "../api-types/agent.js";

export interface LoopNode {
  name: string;
  tier: "edge" | "cloud";
  site: string;
  /** Cores the node offers the scheduler. */
  cpus: number;
  /** Network delay from the devices, told to the scheduler. */
  netDelayMs: number;
  /** Extra flags for this node's agent only (e.g. its --attribute-cert). */
  agentArgs?: string[];
}

/**
 * Two edge sites and a cloud: the edge fills first, then case-3 moves go
 * edge→cloud. edge2 is small (0.4 cores), too small for a tight task alone,
 * so room for one is made on edge1 by moving relaxed tasks to the cloud.
 */
export const LOOP_NODES: LoopNode[] = [
  { name: "edge1", tier: "edge", site: "edge-a", cpus: 1, netDelayMs: 2 },
  { name: "edge2", tier: "edge", site: "edge-b", cpus: 0.4, netDelayMs: 2 },
  { name: "cloud1", tier: "cloud", site: "cloud", cpus: 4, netDelayMs: 20 },
];

export interface LoopOptions {
  /** Starts every host name of the run (2-8 characters, see src/loopnet). */
  prefix: string;
  nodes?: LoopNode[];
  /** The scheduler's durable state (its migration journal). */
  stateDir: string;
  /** Extra flags for the scheduler and for every agent. */
  schedulerArgs?: string[];
  agentArgs?: string[];
  /** Progress lines ("controller up", ...). */
  log?: (line: string) => void;
  startTimeoutMs?: number;
  /** Plain HTTP with no authentication (--insecure) instead of mutual TLS with a CA made in stateDir/tls. */
  insecure?: boolean;
  /** Addresses beyond localhost a service or agent is reached on, keyed ROLE-NAME: its certificate names them (IP SANs). */
  certHosts?: Readonly<Record<string, readonly string[]>>;
  /** Another network than src/loopnet's one-bridge-per-node plan (the testbed's, src/testbed/plan.ts). */
  network?: (controllerPort: number) => LoopnetPlan;
  /** Runs once the network is applied, before the controller must see it settled (the testbed starts its WAN relays here). */
  afterNetwork?: (plan: LoopnetPlan) => Promise<void>;
  /** Runs once the controller sees the network settled, before any agent starts; may give the nodes other figures (the testbed's measured delays). */
  beforeAgents?: (plan: LoopnetPlan, nodes: LoopNode[]) => Promise<LoopNode[]>;
  /** Where a node's agent runs: in the root namespace on 127.0.0.1 (absent), or inside a host namespace. */
  agentHost?: (node: LoopNode) => AgentHost | undefined;
  /** The scheduler's listen address and the URL agents reach it by (agents in host namespaces need more than 127.0.0.1). */
  schedulerListen?: { host: string; port: number; urlForAgents: (node: LoopNode, scheme: "http" | "https") => string };
  /** The controller's ports (0 each when absent: the system picks). */
  controllerPorts?: { openflow: number; http: number; dns: number };
  /** Every child's PID as it starts (the testbed's state file, for `clean` after a crash). */
  onChild?: (name: string, pid: number | undefined) => void;
  /**
   * Schedulers beyond the first, for HA runs (docs/ha.md): `schedulerArgs`
   * must then carry `--store etcd://...` so that they elect one leader; the
   * agents and the loop's client are given every scheduler's URL.
   */
  standbySchedulers?: number;
}

/** An agent inside a host's network namespace: it listens on the host's address. */
export interface AgentHost {
  netns: string;
  listen: string;
  /** Wraps the agent's command (nsenter into the namespace), and its environment. */
  wrap: string[];
  env: NodeJS.ProcessEnv;
}

export interface RunningLoop {
  schedulerUrl: string;
  controllerUrl: string;
  agents: Map<string, string>;
  plan: LoopnetPlan;
  scheduler: SchedulerClient;
  controller: ControllerClient;
  /** The admin's certificate the loop's clients use; undefined when insecure. */
  tls?: ClientTls;
  /** A client of one of the loop's agents, with the admin's certificate. */
  agentClient(url: string): AgentClient;
  /** Every running copy of a task's workload (its `fleximigrate.task` label), on every agent: the "one place" check. */
  copies(task: string): Promise<Array<{ node: string; workload: WorkloadView }>>;
  /** Every scheduler of an HA run (the first one alone otherwise), each with its SIGKILL. */
  schedulers: Array<{ url: string; kill(): Promise<void> }>;
  /** SIGKILL of the scheduler (a crash), then a new one on the same port and state. */
  crashScheduler(): Promise<void>;
  restartScheduler(): Promise<void>;
  /** Last output lines of each child, for failure messages. */
  tails(): string;
  stop(): Promise<void>;
}

export async function startLoop(opts: LoopOptions): Promise<RunningLoop> {
  const log = opts.log ?? (() => {});
  let nodes = opts.nodes ?? LOOP_NODES;
  const timeoutMs = opts.startTimeoutMs ?? 60_000;
  const children = new Map<string, Child>();
  let plan: LoopnetPlan | undefined;
  let schedulerChild: Child | undefined;
  let schedulerPort = 0;
  const standbys: Child[] = [];
  const workDir = (n: LoopNode) => `/dev/shm/${opts.prefix}-${n.name}`;
  const stop = async () => {
    // Agents first (each removes its workloads and their namespaces), then the rest.
    const agents = [...children.entries()].filter(([n]) => n.startsWith("agent "));
    await Promise.all(agents.map(([, c]) => c.stop(15_000)));
    await Promise.all([...children.entries()].filter(([n]) => !n.startsWith("agent ")).map(([, c]) => c.stop()));
    await schedulerChild?.stop();
    await Promise.all(standbys.map((c) => c.stop()));
    if (plan) await removePlan(plan);
    // The agents' scratch folders (their migrations' images), by exact name.
    for (const n of nodes) rmSync(workDir(n), { recursive: true, force: true });
  };
  try {
    await cleanLeftovers(opts.prefix);
    mkdirSync(opts.stateDir, { recursive: true });
    // A CA and every certificate of the run, made once in its state folder (kept across a scheduler restart).
    const trust = opts.insecure ? undefined : demoTrust(opts.stateDir, nodes.map((n) => n.name), opts.certHosts);
    const trustArgs = trust?.args ?? ["--insecure"];
    const tlsOpt = trust ? { tls: trust.admin } : {};

    const cp = opts.controllerPorts ?? { openflow: 0, http: 0, dns: 0 };
    const ctl = new Child("controller", ["controller", "--openflow-port", String(cp.openflow), "--http-port", String(cp.http), "--dns-port", String(cp.dns), "--state-dir", path.join(opts.stateDir, "controller"), "--quiet", ...trustArgs]);
    children.set("controller", ctl);
    opts.onChild?.("controller", ctl.pid);
    const ports = JSON.parse((await ctl.waitForLine(/^\{.*"openflowPort".*\}$/, timeoutMs))[0]) as { openflowPort: number; httpPort: number; dnsPort: number };
    const controllerUrl = `${trust ? "https" : "http"}://127.0.0.1:${ports.httpPort}`;
    const controller = new ControllerClient(controllerUrl, tlsOpt);
    log(`controller up: ${controllerUrl} (OpenFlow ${ports.openflowPort}, DNS ${ports.dnsPort})`);

    plan = opts.network ? opts.network(ports.openflowPort) : planLoopnet({ prefix: opts.prefix, nodes, controllerPort: ports.openflowPort, rootNetnsPid: process.pid });
    await applyPlan(plan);
    await opts.afterNetwork?.(plan);
    const dpids = plan.bridges.map((b) => b.dpid);
    await waitFor(
      async () => {
        const t = await controller.topology();
        return t.settled && dpids.every((d) => t.switches.includes(d)) ? t : undefined;
      },
      { timeoutMs, intervalMs: 200, what: "the controller to see every bridge of the loop, settled" },
    );
    log(`network up: ${plan.bridges.map((b) => `${b.node}=${b.name}`).join(", ")}, gateway ${plan.gateway.address}`);
    if (opts.beforeAgents) nodes = await opts.beforeAgents(plan, nodes);

    const startScheduler = async () => {
      const listen = opts.schedulerListen;
      const args = ["scheduler", "--port", String(listen?.port ?? schedulerPort), ...(listen ? ["--host", listen.host] : [])];
      args.push("--controller", controllerUrl, "--state-dir", opts.stateDir, ...trustArgs, ...(opts.schedulerArgs ?? []));
      schedulerChild = new Child("scheduler", args);
      opts.onChild?.("scheduler", schedulerChild.pid);
      const m = await schedulerChild.waitForLine(/^scheduler listening on (https?:\/\/\S+)/, timeoutMs);
      schedulerPort = Number(new URL(m[1]!).port);
      return listen ? `${trust ? "https" : "http"}://127.0.0.1:${listen.port}` : m[1]!;
    };
    const schedulerUrl = await startScheduler();
    const schedulers: RunningLoop["schedulers"] = [
      {
        url: schedulerUrl,
        async kill() {
          schedulerChild?.kill();
          await schedulerChild?.exited;
        },
      },
    ];
    for (let i = 1; i <= (opts.standbySchedulers ?? 0); i++) {
      const child = new Child(`scheduler ${i + 1}`, ["scheduler", "--port", "0", ...trustArgs, "--controller", controllerUrl, ...(opts.schedulerArgs ?? [])]);
      standbys.push(child);
      opts.onChild?.(`scheduler ${i + 1}`, child.pid);
      const url = (await child.waitForLine(/^scheduler listening on (https?:\/\/\S+)/, timeoutMs))[1]!;
      schedulers.push({
        url,
        async kill() {
          child.kill();
          await child.exited;
        },
      });
    }
    // Several: the client and the agents follow whichever leads.
    const schedulerUrls = schedulers.map((s) => s.url).join(",");
    const scheduler = new SchedulerClient(schedulerUrls, tlsOpt);
    log(`scheduler up: ${schedulerUrls}`);

    const agents = new Map<string, string>();
    for (const [i, n] of nodes.entries()) {
      const bridge = plan.bridges[i]!.name;
      const host = opts.agentHost?.(n);
      const args = [
        "agent",
        ...["--node", n.name, "--tier", n.tier, "--listen", host?.listen ?? "127.0.0.1:0", "--scheduler", opts.schedulerListen?.urlForAgents(n, trust ? "https" : "http") ?? schedulerUrls],
        ...["--bridge", bridge, "--cpus", String(n.cpus), "--net-delay-ms", String(n.netDelayMs), "--report-ms", "500"],
        ...["--work-dir", workDir(n)],
        ...trustArgs,
        ...(opts.agentArgs ?? []),
        ...(n.agentArgs ?? []),
      ];
      const child = new Child(`agent ${n.name}`, args, host ? { wrap: host.wrap, env: host.env } : {});
      children.set(`agent ${n.name}`, child);
      opts.onChild?.(`agent ${n.name}`, child.pid);
      const line = (await child.waitForLine(/^\{.*"listening".*\}$/, timeoutMs))[0];
      agents.set(n.name, (JSON.parse(line) as { listening: string }).listening);
    }
    await waitFor(
      async () => {
        const listed = await scheduler.nodes();
        return nodes.every((n) => listed.some((l) => l.name === n.name && l.endpoint)) ? true : undefined;
      },
      { timeoutMs, intervalMs: 200, what: "every agent registered with the scheduler" },
    );
    log(`agents up: ${[...agents].map(([n, u]) => `${n} ${u}`).join(", ")}`);

    return {
      schedulerUrl,
      controllerUrl,
      agents,
      plan,
      scheduler,
      controller,
      ...tlsOpt,
      agentClient: (url) => new AgentClient(url, tlsOpt),
      async copies(task) {
        const out: Array<{ node: string; workload: WorkloadView }> = [];
        for (const [node, url] of agents) {
          for (const w of (await new AgentClient(url, tlsOpt).workloads()).workloads) {
            if (w.spec.labels["fleximigrate.task"] === task && w.state === "running") out.push({ node, workload: w });
          }
        }
        return out;
      },
      schedulers,
      async crashScheduler() {
        schedulerChild?.kill();
        await schedulerChild?.exited;
      },
      async restartScheduler() {
        await startScheduler();
      },
      tails: () =>
        [...children.entries(), ...(schedulerChild ? [["scheduler", schedulerChild] as const] : []), ...standbys.map((c) => [c.name, c] as const)]
          .map(([n, c]) => `--- ${n}\n${c.tail()}`)
          .join("\n"),
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
