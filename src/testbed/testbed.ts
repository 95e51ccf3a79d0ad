// The testbed's shell: the closed loop's harness (src/demo/loop-cluster.ts) on
// the testbed's network (plan.ts) instead of one bridge per node: WAN relays
// started inside their namespaces, every node's delay to the devices measured
// with ping and registered, and each agent run inside its host's namespace.
// Everything made is first written to the state file (state-file.ts).
import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { Child } from "../demo/children.js";
import { type LoopNode, type RunningLoop, startLoop } from "../demo/loop-cluster.js";
import type { TestbedDefinition, WanSpec } from "./definition.js";
import { median, type PingSummary, parsePing } from "./ping.js";
import { planTestbed, type TestbedPlan, testbedCertHosts } from "./plan.js";
import { readState, type TestbedState, writeState } from "./state-file.js";
import { cleanPrefix } from "./clean.js";
import { ensureOvs } from "../demo/services.js";

const run = promisify(execFile);

export interface TestbedOptions {
  prefix: string;
  definition: TestbedDefinition;
  wan?: Partial<WanSpec>;
  /** Scheduler on basePort, agents on basePort+1..., the controller on basePort+50..52: all inside the run's port range. */
  basePort: number;
  stateDir: string;
  schedulerArgs?: string[];
  agentArgs?: string[];
  log?: (line: string) => void;
  /** Where the state file lives (tests use their own). */
  stateFileDir?: string;
  /** Plain HTTP with no authentication instead of mutual TLS (logged): for debugging a testbed with curl. */
  insecure?: boolean;
}

export interface DelayMeasure {
  node: string;
  tier: string;
  from: string;
  ping: PingSummary;
  /** What the node registered: the median RTT from its nearest devices. */
  registeredMs: number;
}

export interface WanMeasure {
  link: number;
  site: string;
  configuredOneWayMs: number;
  configuredRttMs: number;
  /** Measured through the relay, device host at the edge site to the cloud's first host. */
  rttMedianMs: number;
  rttMinMs: number;
  jitterMdevMs: number;
  /** Measured RTT minus configured RTT: what the relay and the path cost on top. */
  addedOverConfiguredMs: number;
  samples: number;
}

export interface RunningTestbed {
  loop: RunningLoop;
  plan: TestbedPlan;
  delays: DelayMeasure[];
  wan: WanMeasure[];
  relays: Child[];
  stop(): Promise<void>;
}

/**
 * Pings `to` from inside `netns`: `count` replies 50 ms apart once it answers at all (ARP, the
 * controller's first flows across the WAN), up to three tries within 60 s: while discovery settles
 * the controller may still move a path, and a try that got no answer is not a measure.
 */
export async function pingFrom(netns: string, to: string, count = 20): Promise<PingSummary> {
  const until = Date.now() + 60_000;
  for (let attempt = 1; ; attempt++) {
    while (!(await run("ip", ["netns", "exec", netns, "ping", "-c", "1", "-W", "1", to]).then(() => true, () => false))) {
      if (Date.now() > until) break;
    }
    const { stdout } = await run("ip", ["netns", "exec", netns, "ping", "-c", String(count), "-i", "0.05", "-W", "2", to], { timeout: 60_000 }).catch(
      (err: { stdout?: string }) => ({ stdout: err.stdout ?? "" }),
    );
    const p = parsePing(stdout);
    if (p && p.received > 0) return p;
    if (attempt >= 3 || Date.now() > until) throw new Error(`testbed: no ping answer from ${to} inside ${netns} (${attempt} tries)`);
  }
}

/** The `ip` the agents in host namespaces run: in the root namespace, where OVS sees their workloads' veths. */
function ipShim(dir: string, rootPid: number): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "ip");
  writeFileSync(file, `#!/bin/sh\n# An agent inside a host namespace plumbs its workloads from the root namespace (OVS's).\nexec nsenter --net=/proc/${rootPid}/ns/net /usr/sbin/ip "$@"\n`);
  chmodSync(file, 0o755);
  return dir;
}

export async function startTestbed(o: TestbedOptions): Promise<RunningTestbed> {
  const log = o.log ?? (() => {});
  const p = o.prefix;
  await ensureOvs();
  // A crashed earlier run of this prefix: remove what its state file lists first.
  const earlier = await cleanPrefix(p, o.stateFileDir);
  if (earlier) log(`removed a crashed run's leftovers: ${earlier.removed} objects, ${earlier.killed.length} processes`);
  const shimDir = `/dev/shm/${p}-shim`;
  const state: TestbedState = { prefix: p, pid: process.pid, startedAt: new Date().toISOString(), removal: [], children: [], dirs: [shimDir, o.stateDir] };
  const save = () => writeState(state, o.stateFileDir);
  save();
  let plan: TestbedPlan | undefined;
  const relays: Child[] = [];
  const delays: DelayMeasure[] = [];
  const wan: WanMeasure[] = [];
  const schedulerPort = o.basePort;
  const nodesOf = o.definition.sites.flatMap((s) => s.nodes.map((n) => ({ name: n.name, tier: s.tier, site: s.name, cpus: n.cpus, netDelayMs: 0 }) as LoopNode));
  ipShim(shimDir, process.pid);
  const stopRelays = async () => {
    await Promise.all(relays.map((r) => r.stop()));
  };
  if (o.insecure) log("--insecure: plain HTTP, no authentication (the services trust anyone who reaches them)");
  let loop: RunningLoop;
  try {
    loop = await startLoop({
      prefix: p,
      // Mutual TLS with a CA in the run's state folder; each certificate names the addresses its holder is reached on.
      insecure: o.insecure ?? false,
      certHosts: testbedCertHosts(planTestbed({ prefix: p, definition: o.definition, controllerPort: o.basePort + 50, rootNetnsPid: process.pid, wan: o.wan })),
      nodes: nodesOf,
      stateDir: o.stateDir,
      log,
      schedulerArgs: ["--service-cidr", o.definition.serviceCidr, ...(o.schedulerArgs ?? [])],
      agentArgs: o.agentArgs,
      // Inside the run's port range: agents take basePort+1.., the controller basePort+50..52.
      controllerPorts: { openflow: o.basePort + 50, http: o.basePort + 51, dns: o.basePort + 52 },
      network: (controllerPort) => {
        plan = planTestbed({ prefix: p, definition: o.definition, controllerPort, rootNetnsPid: process.pid, wan: o.wan });
        state.removal = plan.removal;
        state.dirs.push(...nodesOf.map((n) => `/dev/shm/${p}-${n.name}`));
        save();
        return plan;
      },
      afterNetwork: async () => {
        for (const r of plan!.relays) {
          const child = new Child(`relay ${r.link}`, r.args, { wrap: ["ip", "netns", "exec", r.netns] });
          relays.push(child);
          state.children.push({ name: child.name, pid: child.pid!, cmdlineHas: "testbed relay" });
          save();
          await child.waitForLine(/"relaying"/, 30_000);
        }
        log(`WAN relays up: ${plan!.relays.map((r) => `${r.site}↔cloud ${plan!.wan.delayMs} ms one-way, ${plan!.wan.bandwidthMbit || "unshaped"} Mbit/s`).join("; ")}`);
      },
      beforeAgents: async (_plan, nodes) => {
        const cloudHost = plan!.hosts.find((h) => h.tier === "cloud")!;
        for (const l of plan!.links) {
          if (l.kind !== "vxlan") continue;
          const dev = plan!.devices.find((d) => d.site === l.sites[0]);
          if (!dev) continue;
          const ping = await pingFrom(dev.netns, cloudHost.ip, 40);
          const k = plan!.relays.find((r) => r.site === l.sites[0])!.link;
          const configuredRttMs = 2 * plan!.wan.delayMs;
          const rtt = median(ping.samplesMs);
          wan.push({
            link: k,
            site: l.sites[0],
            configuredOneWayMs: plan!.wan.delayMs,
            configuredRttMs,
            rttMedianMs: rtt,
            rttMinMs: ping.minMs,
            jitterMdevMs: ping.mdevMs,
            addedOverConfiguredMs: Math.round((rtt - configuredRttMs) * 1000) / 1000,
            samples: ping.received,
          });
        }
        log(`WAN measured: ${wan.map((w) => `${w.site}↔cloud RTT ${w.rttMedianMs.toFixed(2)} ms (configured ${w.configuredRttMs}), jitter ${w.jitterMdevMs.toFixed(2)} ms`).join("; ")}`);
        const out: LoopNode[] = [];
        for (const n of nodes) {
          const host = plan!.hosts.find((h) => h.node === n.name)!;
          let best: DelayMeasure | undefined;
          for (const d of plan!.devices) {
            const ping = await pingFrom(d.netns, host.ip, 10);
            const registeredMs = Math.round(median(ping.samplesMs) * 100) / 100;
            if (!best || registeredMs < best.registeredMs) best = { node: n.name, tier: n.tier, from: d.netns, ping, registeredMs };
          }
          delays.push(best!);
          out.push({ ...n, netDelayMs: best!.registeredMs });
        }
        log(`nodes' measured delay to devices: ${delays.map((d) => `${d.node} ${d.registeredMs} ms`).join(", ")}`);
        return out;
      },
      agentHost: (n) => {
        const host = plan!.hosts.find((h) => h.node === n.name)!;
        const i = plan!.hosts.indexOf(host);
        return {
          netns: host.netns,
          listen: `${host.ip}:${o.basePort + 1 + i}`,
          wrap: ["nsenter", `--net=/run/netns/${host.netns}`],
          env: { ...process.env, PATH: `${shimDir}:${process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin"}` },
        };
      },
      schedulerListen: {
        host: "0.0.0.0",
        port: schedulerPort,
        // Each agent reaches the scheduler through its own site's management port.
        urlForAgents: (n, scheme) => `${scheme}://${plan!.siteGateways.find((g) => g.site === n.site)!.ip}:${schedulerPort}`,
      },
      onChild: (name, pid) => {
        if (pid === undefined) return;
        state.children.push({ name, pid, cmdlineHas: name.split(" ")[0]! });
        save();
      },
    });
  } catch (err) {
    await stopRelays();
    await cleanPrefix(p, o.stateFileDir).catch(() => undefined);
    throw err;
  }
  return {
    loop,
    plan: plan!,
    delays,
    wan,
    relays,
    async stop() {
      await loop.stop();
      await stopRelays();
      // Anything the loop's own stop missed (and the folders), from the state file.
      if (readState(p, o.stateFileDir)) await cleanPrefix(p, o.stateFileDir);
    },
  };
}
