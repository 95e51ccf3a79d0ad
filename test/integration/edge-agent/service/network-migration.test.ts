// A workload with its own network moves between two real agents (in this
// process) on two OVS bridges, fma-br1 and fma-br2, joined by a patch-port
// pair (standalone fail mode: plain L2 learning, no controller). A client in
// netns fma-dev on fma-br1 holds ONE keep-alive TCP connection to the
// workload's service IP. Real CRIU, namespaces and OVS:
// - post-copy with commit "manual", then commit: the connection is never reset,
//   every request is answered, the workload answers from agent 2's port, the
//   source namespace is gone;
// - stop-and-copy back with commit "manual", then rollback after resume: the
//   workload serves on its source again, the destination's namespace is gone,
//   the record says how long the destination ran;
// - a workload with no port (threads, a child on a pipe) moved by post-copy
//   reaches done and runs on the destination (the process-tree check, not an
//   HTTP probe).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { MigrationView, WorkloadView } from "../../../../src/api-types/agent.js";
import { AgentClient } from "../../../../src/clients/agent.js";
import { detectCapabilities } from "../../../../edge-agent/capabilities.js";
import { Agent } from "../../../../edge-agent/service/agent.js";
import { buildApp } from "../../../../edge-agent/service/app.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";
import { spawnChild, type TrackedChild } from "../../../helpers/processes.js";
import { waitFor } from "../../../helpers/wait.js";
import { TEST_ALLOW } from "../../../helpers/allow-list.js";

const ROOT = path.resolve(import.meta.dirname, "../../../..");
const CLIENT = path.join(ROOT, "test/fixtures/keepalive-client.mjs");
const NO_PORT = path.join(ROOT, "test/fixtures/threads_pipe_workload.py");
const BRIDGES = ["fma-br1", "fma-br2"] as const;
const DEV = "fma-dev";
const NET = { ip: "10.77.9.10", prefixLen: 24, mac: "02:00:0a:4d:09:0a" };

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: "pipe" }).toString();
const quiet = (cmd: string, args: string[]) => {
  try {
    sh(cmd, args);
  } catch {
    // already gone
  }
};

function teardownNet(): void {
  quiet("ip", ["netns", "del", DEV]);
  quiet("ip", ["link", "del", "fma-dev0"]);
  for (const b of BRIDGES) quiet("ovs-vsctl", ["--if-exists", "del-br", b]);
}

function setupNet(): void {
  teardownNet();
  for (const b of BRIDGES) sh("ovs-vsctl", ["add-br", b, "--", "set", "Bridge", b, "datapath_type=netdev", "fail_mode=standalone"]);
  sh("ovs-vsctl", [
    ...["add-port", "fma-br1", "fma-p12", "--", "set", "Interface", "fma-p12", "type=patch", "options:peer=fma-p21"],
    ...["--", "add-port", "fma-br2", "fma-p21", "--", "set", "Interface", "fma-p21", "type=patch", "options:peer=fma-p12"],
  ]);
  sh("ip", ["netns", "add", DEV]);
  sh("ip", ["link", "add", "fma-dev0", "type", "veth", "peer", "name", "eth0", "netns", DEV]);
  sh("ip", ["-n", DEV, "addr", "add", "10.77.9.2/24", "dev", "eth0"]);
  // The user-space datapath leaves offloaded checksums empty: the client computes its own.
  sh("nsenter", [`--net=/run/netns/${DEV}`, "ethtool", "-K", "eth0", "tx", "off"]);
  sh("ip", ["-n", DEV, "link", "set", "eth0", "up"]);
  sh("ip", ["-n", DEV, "link", "set", "lo", "up"]);
  sh("ovs-vsctl", ["add-port", "fma-br1", "fma-dev0"]);
  sh("ip", ["link", "set", "fma-dev0", "up"]);
}

interface Running {
  agent: Agent;
  app: FastifyInstance;
  url: string;
  client: AgentClient;
}

async function startAgent(node: string, bridge: string, caps: Awaited<ReturnType<typeof detectCapabilities>>): Promise<Running> {
  const workRoot = `/dev/shm/${node}`;
  rmSync(workRoot, { recursive: true, force: true });
  const agent = new Agent({ node, tier: "edge", selfUrl: "", workRoot, bridge, commitTimeoutMs: 120_000, allow: TEST_ALLOW }, caps);
  const app = await buildApp(agent);
  await app.listen({ host: "127.0.0.1", port: 0 });
  const addr = app.server.address();
  const url = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  (agent.opts as { selfUrl: string }).selfUrl = url;
  return { agent, app, url, client: new AgentClient(url, { node }) };
}

async function stopAgent(r: Running | undefined): Promise<void> {
  if (!r) return;
  for (const id of [...r.agent.incoming.keys()]) await r.agent.abortIncoming(id).catch(() => undefined);
  for (const id of [...r.agent.workloads.keys()]) await r.agent.deleteWorkload(id, { force: true }).catch(() => undefined);
  await r.app.close();
  rmSync(r.agent.opts.workRoot, { recursive: true, force: true });
}

/** The keep-alive client in fma-dev: COUNT requests, 50 ms apart, on one connection. */
function startClient(count: number): TrackedChild {
  return spawnChild("nsenter", [`--net=/run/netns/${DEV}`, process.execPath, CLIENT, NET.ip, "8080", "/process?size=small", "50", String(count)], { cwd: ROOT });
}

interface ClientResult {
  lines: Array<{ i: number; ms: number; status: number; localPort: number }>;
  summary?: { sent: number; answered: number; worstMs: number; sameConnection: boolean };
  error?: string;
}

async function clientResult(c: TrackedChild): Promise<ClientResult> {
  await c.exited;
  const parsed = c
    .stdout()
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    lines: parsed.filter((p) => typeof p.i === "number") as ClientResult["lines"],
    summary: parsed.find((p) => p.done) as ClientResult["summary"],
    error: parsed.find((p) => p.error)?.error as string | undefined,
  };
}

/** The service answers on its IP from fma-dev (a fresh connection). */
async function serviceAnswers(): Promise<boolean> {
  const c = spawnChild("nsenter", [`--net=/run/netns/${DEV}`, process.execPath, CLIENT, NET.ip, "8080", "/process?size=small", "10", "1"], { cwd: ROOT });
  const timer = setTimeout(() => void c.stop(), 3000);
  const r = await clientResult(c);
  clearTimeout(timer);
  return r.summary?.answered === 1;
}

async function untilPhase(c: AgentClient, id: string, phases: string[], timeoutMs = 60_000): Promise<MigrationView> {
  let last: MigrationView | undefined;
  await waitFor(
    async () => {
      last = await c.migration(id);
      return phases.includes(last.phase);
    },
    { timeoutMs, intervalMs: 50, what: `migration ${id} to reach ${phases.join("/")} (last: ${JSON.stringify(last)})` },
  );
  return last!;
}

const workloadOn = async (r: Running, id: string): Promise<WorkloadView | undefined> => (await r.client.workloads()).workloads.find((w) => w.id === id);

/** Host PIDs of the tree under `root`, and its CPU ticks. */
function treeCpu(root: number): { pids: number; ticks: number } {
  let pids = 0;
  let ticks = 0;
  const todo = [root];
  while (todo.length) {
    const pid = todo.pop()!;
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    pids++;
    ticks += Number(f[11]) + Number(f[12]);
    for (const tid of sh("ls", [`/proc/${pid}/task`]).split(/\s+/).filter(Boolean)) {
      todo.push(
        ...readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8")
          .split(/\s+/)
          .filter(Boolean)
          .map(Number),
      );
    }
  }
  return { pids, ticks };
}

describeWhen("network workloads move between agents on two OVS bridges", missing([needs.root(), needs.ovs(), needs.criu()]), () => {
  let a1: Running | undefined;
  let a2: Running | undefined;
  const events: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    setupNet();
    const caps = await detectCapabilities();
    a1 = await startAgent("fma-a1", "fma-br1", caps);
    a2 = await startAgent("fma-a2", "fma-br2", caps);
    a1.agent.events.subscribe((e) => events.push(e));
    a2.agent.events.subscribe((e) => events.push(e));
  }, 120_000);

  afterAll(async () => {
    await stopAgent(a1);
    await stopAgent(a2);
    teardownNet();
  }, 60_000);

  it("info shows the bridge and its datapath id; a bad network is refused with a reason", async () => {
    const info = await a1!.client.info();
    expect(info.network?.bridge).toBe("fma-br1");
    expect(info.network?.dpid).toMatch(/^[0-9a-f]{16}$/);
    const bad = await fetch(`${a1!.url}/v1/workloads`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ command: ["sleep", "5"], cpuLimit: 1, network: { ...NET, mac: "03:00:00:00:00:01" } }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/multicast/);
  });

  it("post-copy with manual commit: the client's one connection survives, every request is answered", async () => {
    const { url: _u, client: c1 } = a1!;
    const created = await c1.createWorkload({
      id: "web",
      command: [process.execPath, "--import", "tsx", "scheduler/profiling/server.ts"],
      cpuLimit: 1,
      ports: [8080],
      env: { FLEXIMIGRATE_WORKLOAD_HOST: "0.0.0.0", FLEXIMIGRATE_WORKLOAD_PORT: "8080", UV_USE_IO_URING: "0" },
      network: NET,
    });
    expect(created.network).toMatchObject({ ...NET, namespace: "fma-a1-web", bridge: "fma-br1" });
    expect(created.network?.ofport).toBeGreaterThan(0);
    await waitFor(serviceAnswers, { timeoutMs: 30_000, intervalMs: 300, what: "the service to answer on 10.77.9.10" });

    const client = startClient(100);
    await client.line((l) => l.includes('"i":5'), 20_000);
    const started = await c1.startMigration({ workload: "web", destination: a2!.url, strategy: "postcopy", commit: "manual", cpuLimit: 0.5 });
    const waiting = await untilPhase(c1, started.id, ["awaiting-commit", "failed"]);
    expect(waiting.phase, waiting.error).toBe("awaiting-commit");
    expect(waiting.resumedAt).toBeDefined();
    // The event the scheduler redirects on.
    expect(events.some((e) => e.type === "migration" && e.migrationId === started.id && e.resumedAt === waiting.resumedAt)).toBe(true);
    // Until commit the source keeps its namespace (and frozen tree); the destination runs it.
    expect(existsSync("/run/netns/fma-a1-web")).toBe(true);
    const arrived = await workloadOn(a2!, "web");
    expect(arrived?.network).toMatchObject({ ...NET, namespace: "fma-a2-web", bridge: "fma-br2" });
    expect(arrived?.spec.cpuLimit).toBe(0.5);

    const done = await c1.commitMigration(started.id);
    expect(done.phase).toBe("done");
    expect(existsSync("/run/netns/fma-a1-web")).toBe(false);
    expect(await workloadOn(a1!, "web")).toBeUndefined();
    expect((await workloadOn(a2!, "web"))?.state).toBe("running");

    const result = await clientResult(client);
    expect(result.error).toBeUndefined();
    expect(result.summary).toMatchObject({ sent: 100, answered: 100, sameConnection: true });
    process.stderr.write(
      `[measure] post-copy network move: downtime ${done.metrics?.downtimeMs} ms (from freeze), breakdown ${JSON.stringify(done.metrics?.breakdown)}, ` +
        `client's slowest answer ${result.summary?.worstMs} ms on one connection, ${result.summary?.answered}/${result.summary?.sent} answered\n`,
    );
    // It answers on the same IP, from agent 2's bridge port.
    expect(await serviceAnswers()).toBe(true);
    const ofport = arrived!.network!.ofport;
    expect(sh("ovs-appctl", ["fdb/show", "fma-br2"])).toMatch(new RegExp(`^\\s*${ofport}\\s+\\d+\\s+${NET.mac}`, "m"));
  }, 120_000);

  it("stop-and-copy back with manual commit, then rollback after resume: it serves on its source again", async () => {
    const c2 = a2!.client;
    const client = startClient(60);
    await client.line((l) => l.includes('"i":5'), 20_000);
    const started = await c2.startMigration({ workload: "web", destination: a1!.url, strategy: "stopcopy", commit: "manual" });
    const waiting = await untilPhase(c2, started.id, ["awaiting-commit", "failed"]);
    expect(waiting.phase, waiting.error).toBe("awaiting-commit");
    expect(existsSync("/run/netns/fma-a1-web")).toBe(true);
    // The move itself kept the client's connection: all its requests end on the destination, before the rollback.
    const result = await clientResult(client);
    expect(result.error).toBeUndefined();
    expect(result.summary).toMatchObject({ sent: 60, answered: 60, sameConnection: true });
    process.stderr.write(
      `[measure] stop-and-copy network move: downtime ${waiting.metrics?.downtimeMs} ms (from freeze), breakdown ${JSON.stringify(waiting.metrics?.breakdown)}, ` +
        `client's slowest answer ${result.summary?.worstMs} ms on one connection, ${result.summary?.answered}/${result.summary?.sent} answered\n`,
    );
    const rolled = await c2.rollbackMigration(started.id);
    expect(rolled.phase).toBe("failed");
    expect(rolled.rollback).toMatchObject({ afterResume: true, changesDiscarded: true });
    expect(rolled.rollback?.destinationRanMs).toBeGreaterThan(0);
    expect(existsSync("/run/netns/fma-a1-web")).toBe(false);
    expect(await workloadOn(a1!, "web")).toBeUndefined();
    expect((await workloadOn(a2!, "web"))?.state).toBe("running");
    await waitFor(serviceAnswers, { timeoutMs: 20_000, intervalMs: 300, what: "the service to answer from its source again" });
    // Wrong phases: nothing to commit or roll back any more; unknown ids are 404.
    await expect(c2.commitMigration(started.id)).rejects.toMatchObject({ status: 409 });
    await expect(c2.rollbackMigration(started.id)).rejects.toMatchObject({ status: 409 });
    await expect(c2.commitMigration("m-nope")).rejects.toMatchObject({ status: 404 });
    process.stderr.write(`[measure] stop-and-copy rollback: destination ran ${rolled.rollback?.destinationRanMs} ms before its copy was dropped\n`);
    await a2!.client.deleteWorkload("web");
    expect(existsSync("/run/netns/fma-a2-web")).toBe(false);
  }, 120_000);

  it("a workload with no port (threads, a child on a pipe) moves by post-copy and runs on", async () => {
    await a1!.client.createWorkload({ id: "pipes", command: ["/usr/bin/python3", NO_PORT], cpuLimit: 1 });
    await new Promise((r) => setTimeout(r, 500));
    const started = await a1!.client.startMigration({ workload: "pipes", destination: a2!.url, strategy: "postcopy" });
    const end = await untilPhase(a1!.client, started.id, ["done", "failed"], 40_000);
    expect(end.phase, end.error).toBe("done");
    expect(end.rollback).toBeUndefined();
    expect(await workloadOn(a1!, "pipes")).toBeUndefined();
    const moved = await workloadOn(a2!, "pipes");
    expect(moved?.state).toBe("running");
    const first = treeCpu(moved!.pid!);
    await new Promise((r) => setTimeout(r, 400));
    const second = treeCpu(moved!.pid!);
    // Root, python and its child: all there, and computing (a wrong answer on the pipe would end it).
    expect(second.pids).toBeGreaterThanOrEqual(2);
    expect(second.ticks).toBeGreaterThan(first.ticks);
    process.stderr.write(`[measure] post-copy of a no-port workload: downtime ${end.metrics?.downtimeMs} ms (freeze to running tree), total ${end.metrics?.totalMs} ms\n`);
  }, 90_000);
});
