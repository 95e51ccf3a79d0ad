// Runs one scenario on the testbed and writes results/RUN/: the scenario file,
// the trace, measurements.json and report.html. The testbed is built for the
// run and removed at its end (on an error too); `policies` builds one per policy.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import type { MoveInput, MoveRecord, Placed } from "../../api-types/scheduler.js";
import { runFleet } from "../../devices/fleet.js";
import type { DeviceResult } from "../../devices/device.js";
import { waitFor } from "../../wait.js";
import type { TestbedDefinition } from "../definition.js";
import { type RunningTestbed, startTestbed } from "../testbed.js";
import type { FsmResult, Measurements, RequestRecord } from "./measurements.js";
import { renderReport } from "../report/render.js";
import { prepareDockerEngine } from "../docker-engine.js";
import { group } from "./group.js";
import { copiesOf, FINAL, followMove, migrationRecord, statesOf } from "./moves.js";
import { strategies, strategiesSchedulerArgs } from "./strategies.js";
import { scenarioTrace } from "./trace.js";
import type { FsmCase, Scenario } from "./types.js";

const run = promisify(execFile);

export interface RunOptions {
  prefix: string;
  basePort: number;
  definition: TestbedDefinition;
  scenarioFile: string;
  resultsRoot: string;
  log: (line: string) => void;
  /** Plain HTTP with no authentication instead of mutual TLS (logged). */
  insecure?: boolean;
  /** Resolves when the user asked to stop (Ctrl-C). */
  stopped?: Promise<void>;
}

export const EXPECTED_STATES: Record<FsmCase, string[]> = {
  success: ["PENDING", "PLANNING", "PREPARATION", "EXECUTION", "VERIFICATION", "COMPLETED"],
  PENDING: ["PENDING", "FAILED"],
  PLANNING: ["PENDING", "PLANNING", "FAILED"],
  PREPARATION: ["PENDING", "PLANNING", "PREPARATION", "ROLLING_BACK", "FAILED"],
  EXECUTION: ["PENDING", "PLANNING", "PREPARATION", "EXECUTION", "ROLLING_BACK", "FAILED"],
  VERIFICATION: ["PENDING", "PLANNING", "PREPARATION", "EXECUTION", "VERIFICATION", "ROLLING_BACK", "FAILED"],
};

export function runId(s: Scenario, now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "")}-${s.name}-seed${s.seed}`;
}

export async function runScenario(s: Scenario, o: RunOptions): Promise<{ dir: string; measurements: Measurements }> {
  const id = runId(s);
  const dir = path.join(o.resultsRoot, id);
  mkdirSync(dir, { recursive: true });
  copyFileSync(o.scenarioFile, path.join(dir, `scenario${path.extname(o.scenarioFile) || ".yaml"}`));
  const trace = scenarioTrace(s);
  writeFileSync(path.join(dir, "trace.json"), `${JSON.stringify(trace, null, 2)}\n`);
  const m: Measurements = {
    scenario: { name: s.name, kind: s.kind, seed: s.seed, file: path.basename(o.scenarioFile), description: s.description },
    run: { id, startedAt: new Date().toISOString(), finishedAt: "" },
    testbed: [],
    trace,
    requests: [],
    devices: [],
    migrations: [],
    redirects: [],
    fsm: [],
    moved: [],
    cpu: [],
    policies: [],
    notes: [],
  };
  const definition: TestbedDefinition = {
    ...o.definition,
    sites: o.definition.sites.map((site) => ({ ...site, nodes: site.nodes.map((n) => ({ ...n, cpus: s.cpus[n.name] ?? n.cpus })) })),
  };
  const policies = s.kind === "policies" ? s.policies : [s.policy];
  // The strategies scenario's scheduler inputs (a catalog and samples per working-set size), and Docker's engine.
  const inputsDir = mkdtempSync(`/tmp/${o.prefix}-inputs-`);
  const extraSchedulerArgs = s.kind === "strategies" ? strategiesSchedulerArgs(inputsDir, s) : [];
  const docker = s.kind === "strategies" && s.strategies.includes("docker") ? await prepareDockerEngine(o.prefix, o.log) : undefined;
  if (docker && !docker.ok) o.log(`docker: ${docker.reason}`);
  try {
    for (const policy of policies) {
      o.log(`${s.name}: testbed up (policy ${policy}, WAN ${JSON.stringify(s.wan)})`);
      const t0 = Date.now();
      const tb = await startTestbed({
        prefix: o.prefix,
        definition,
        wan: s.wan,
        basePort: o.basePort,
        stateDir: mkdtempSync(`/tmp/${o.prefix}-run-`),
        schedulerArgs: ["--policy", policy, "--min-residence", String(s.minResidenceS), "--allow-faults", ...(s.samples && s.kind !== "strategies" ? ["--samples", s.samples] : []), ...extraSchedulerArgs],
        agentArgs: ["--allow-faults", ...(docker?.ok ? ["--allow-image", docker.image] : [])],
        ...(o.insecure ? { insecure: true } : {}),
        log: o.log,
      });
      const startupMs = Date.now() - t0;
      const runStart = Date.now();
      const cpuTimer = setInterval(() => {
        void tb.loop.scheduler.nodes().then(
          (nodes) => {
            for (const n of nodes) m.cpu.push({ t: Date.now() - runStart, node: n.name, tier: n.tier, usage: n.cpuUsage, policy });
          },
          () => undefined,
        );
      }, 1000);
      try {
        if (s.kind === "saturate" || s.kind === "policies") await saturate(s, tb, m, policy, runStart, o);
        if (s.kind === "fsm") await fsm(s, tb, m, policy, runStart, o);
        if (s.kind === "strategies") await strategies(s, { tb, m, policy, runStart, prefix: o.prefix, log: o.log, ...(docker ? { docker } : {}) });
        if (s.kind === "group") await group(s, tb, m, policy, runStart, o.log);
        for (const r of (await tb.loop.controller.redirects()).redirects) m.redirects.push({ id: String(r.id), reconfigurationMs: r.reconfigurationMs ?? null, state: r.state, policy });
      } finally {
        clearInterval(cpuTimer);
        const t1 = Date.now();
        await tb.stop();
        m.testbed.push({ policy, runStartedAt: new Date(runStart).toISOString(), startupMs, teardownMs: Date.now() - t1, wan: tb.wan, delays: tb.delays.map((d) => ({ node: d.node, tier: d.tier, registeredMs: d.registeredMs })),
          services: { tls: tb.loop.tls !== undefined, scheduler: tb.loop.schedulerUrl, controller: tb.loop.controllerUrl, agents: Object.fromEntries(tb.loop.agents) },
        });
        o.log(`${s.name}: testbed down (policy ${policy})`);
      }
    }
  } finally {
    if (docker?.ok) await docker.stop();
    rmSync(inputsDir, { recursive: true, force: true });
  }
  m.run.finishedAt = new Date().toISOString();
  writeFileSync(path.join(dir, "measurements.json"), `${JSON.stringify(m, null, 2)}\n`);
  writeFileSync(path.join(dir, "report.html"), await renderReport([m]));
  return { dir, measurements: m };
}

async function answers(ip: string, port: number): Promise<boolean> {
  try {
    const r = await fetch(`http://${ip}:${port}/process?size=small`, { signal: AbortSignal.timeout(10_000) });
    await r.arrayBuffer();
    return r.ok;
  } catch {
    return false;
  }
}

async function saturate(s: Scenario, tb: RunningTestbed, m: Measurements, policy: string, runStart: number, o: RunOptions): Promise<void> {
  const trace = scenarioTrace(s);
  const byRate = new Map<number, typeof trace>();
  for (const d of trace) byRate.set(d.rate, [...(byRate.get(d.rate) ?? []), d]);
  const abort = new AbortController();
  void o.stopped?.then(() => abort.abort());
  o.log(`${s.name}: ${trace.length} devices over ${s.durationS} s`);
  const fleetStart = Date.now();
  const results: DeviceResult[] = (
    await Promise.all([...byRate].map(([rate, specs]) => runFleet(specs, { scheduler: tb.loop.scheduler, rate, requestTimeoutMs: 30_000, keep: true, signal: abort.signal })))
  ).flat();
  // Moves still in flight when the devices stop are followed to their end (the testbed is torn down after).
  const moves = await waitFor(
    async () => {
      const all = await tb.loop.scheduler.migrations();
      return all.every((x) => FINAL.has(x.state ?? "")) ? all : undefined;
    },
    { timeoutMs: 240_000, intervalMs: 500, what: "every move to a final state" },
  ).catch(async () => {
    m.notes.push("some moves were still in flight 240 s after the devices stopped");
    return tb.loop.scheduler.migrations();
  });
  for (const x of moves) m.migrations.push(migrationRecord(x, runStart, policy));
  const offset = fleetStart - runStart;
  for (const r of results) {
    if (r.status !== "ran") {
      m.devices.push({ device: r.device, policy, status: r.status, requests: 0, misses: 0, missRate: 0 });
      continue;
    }
    const taskMoves = moves
      .filter((x) => x.task.id === r.task && x.state === "COMPLETED")
      .map((x) => ({ to: x.to, at: Date.parse(x.timeline?.find((e) => e.state === "COMPLETED")?.at ?? x.requestedAt) - runStart }))
      .sort((a, b) => a.at - b.at);
    // The node before its first move is the first move's source.
    const first = moves.find((x) => x.task.id === r.task && x.state === "COMPLETED");
    let misses = 0;
    for (const out of r.outcomes) {
      const t = out.at + offset;
      const servedBy = taskMoves.filter((mv) => mv.at <= t).pop()?.to ?? first?.from ?? r.node;
      const late = !out.ok || out.latencyMs > r.budgetMs;
      if (late) misses++;
      const rec: RequestRecord = { device: r.device, task: r.task, t, ok: out.ok, latencyMs: out.ok ? out.latencyMs : null, budgetMs: r.budgetMs, servedBy, policy };
      if (!out.ok) rec.error = out.kind;
      m.requests.push(rec);
    }
    m.devices.push({ device: r.device, policy, status: r.status, task: r.task, node: r.node, requests: r.outcomes.length, misses, missRate: r.outcomes.length ? misses / r.outcomes.length : 0, connections: r.connections });
  }
  const reqs = m.requests.filter((q) => q.policy === policy);
  const misses = reqs.filter((q) => !q.ok || (q.latencyMs ?? 0) > q.budgetMs).length;
  m.policies.push({ policy, requests: reqs.length, misses, missRate: reqs.length ? misses / reqs.length : 0 });
  // Every moved task answers on its unchanged service IP, from one place.
  for (const x of moves.filter((mv) => mv.state === "COMPLETED")) {
    const r = results.find((d) => d.status === "ran" && d.task === x.task.id);
    if (r?.status !== "ran") continue;
    m.moved.push({ task: r.task, ip: r.serviceIp, to: x.to, answered: await answers(r.serviceIp, r.port), copies: await copiesOf(tb, r.task) });
  }
  for (const r of results) if (r.status === "ran") await tb.loop.scheduler.releaseTask(r.task).catch(() => undefined);
  o.log(`${s.name}: ${reqs.length} requests, deadline-miss rate ${((reqs.length ? misses / reqs.length : 0) * 100).toFixed(1)} %, ${moves.filter((x) => x.state === "COMPLETED").length} moves completed`);
}

async function fsm(s: Scenario, tb: RunningTestbed, m: Measurements, policy: string, runStart: number, o: RunOptions): Promise<void> {
  const scheduler = tb.loop.scheduler;
  let seq = 0;
  const place = async (): Promise<Placed> => {
    const id = `fsm-${++seq}`;
    const outcome = await scheduler.submitTask({ id, device: `dev-${id}`, workload: "detect", inputClass: "small", delayBudgetMs: 400 }, { timeoutMs: 90_000 });
    if (outcome.outcome !== "placed") throw new Error(`fsm: task ${id} refused: ${outcome.refused.reason}`);
    return outcome.placed;
  };
  const follow = (input: MoveInput) => followMove(tb, input);
  const cloud = tb.plan.hosts.find((h) => h.tier === "cloud")!.node;
  for (const c of s.faults) {
    const placed = await place();
    const target = tb.plan.hosts.find((h) => h.node === placed.node)!.tier === "edge" ? cloud : tb.plan.hosts.find((h) => h.tier === "edge")!.node;
    let x: MoveRecord;
    let note: string | undefined;
    if (c === "success") x = await follow({ task: placed.task.id, to: target, strategy: "postcopy" });
    else if (c === "PENDING") {
      // The destination's agent cannot be reached.
      await scheduler.registerNode({ name: "ghost", tier: "cloud", cpus: 4, netDelayMs: 20, endpoint: "http://127.0.0.1:9" });
      x = await follow({ task: placed.task.id, to: "ghost" });
      note = "destination agent unreachable";
    } else if (c === "PLANNING") x = await follow({ task: placed.task.id, to: target, faults: { policyDenies: "no moves during the fsm scenario" } });
    else if (c === "PREPARATION") {
      x = await withWanDown(tb, placed.node, () => follow({ task: placed.task.id, to: target }));
      note = "the source site's WAN link taken down: the controller knows no path";
    } else if (c === "EXECUTION") {
      x = await follow({ task: placed.task.id, to: target, strategy: "stopcopy", faults: { agent: { corrupt: true } } });
      note = "an image chunk corrupted in transfer";
    } else {
      x = await follow({ task: placed.task.id, to: target, strategy: "postcopy", faults: { probePath: "/not-the-service" } });
      note = "the restored service does not answer its probe";
    }
    const states = statesOf(x);
    const expectedNode = c === "success" ? target : placed.node;
    const copies = await copiesOf(tb, placed.task.id);
    const ok = JSON.stringify(states) === JSON.stringify(EXPECTED_STATES[c]) && copies.length === 1 && copies[0] === expectedNode;
    const result: FsmResult = { case: c, expectedStates: EXPECTED_STATES[c], states, final: x.state ?? "", copies, expectedNode, ok, ...(note ? { note } : {}) };
    m.fsm.push(result);
    m.migrations.push(migrationRecord(x, runStart, policy, { fsmCase: c }));
    o.log(`fsm ${c}: ${states.join(" → ")}; runs on ${copies.join(", ") || "nothing"} (${ok ? "as expected" : `EXPECTED ${EXPECTED_STATES[c].join(" → ")} on ${expectedNode}`})`);
    await scheduler.releaseTask(placed.task.id).catch(() => undefined);
  }
}

/** Runs `action` while the WAN link of `node`'s site is down (its edge-side VXLAN device), once the controller has dropped the link. */
async function withWanDown<T>(tb: RunningTestbed, node: string, action: () => Promise<T>): Promise<T> {
  const site = tb.plan.hosts.find((h) => h.node === node)!.site;
  const link = tb.plan.links.find((l) => l.kind === "vxlan" && l.sites[0] === site);
  if (link?.kind !== "vxlan") throw new Error(`fsm PREPARATION: ${node}'s site ${site} has no WAN link (is it the cloud?)`);
  const dpid = tb.plan.bridges.find((b) => b.name === link.a.bridge)!.dpid;
  await run("ip", ["link", "set", link.a.port, "down"]);
  try {
    await waitFor(
      async () => {
        const t = await tb.loop.controller.topology();
        return !t.links.some((l) => (l.src.dpid === dpid && l.src.port === link.a.ofport) || (l.dst.dpid === dpid && l.dst.port === link.a.ofport)) || undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: "the controller to drop the WAN link" },
    );
    return await action();
  } finally {
    await run("ip", ["link", "set", link.a.port, "up"]);
    await waitFor(async () => (await tb.loop.controller.topology()).links.length >= tb.plan.links.length || undefined, { timeoutMs: 30_000, intervalMs: 250, what: "the WAN link back" });
  }
}
