// The closed loop, end to end, with every part real: the controller, Open
// vSwitch bridges per node joined by VXLAN (src/loopnet), the scheduler with
// its migration manager and journal, and three agents running each task's
// workload (the profiled image server, unmodified, listening on TCP) in its
// own network namespace with its service IP. A device in the root namespace
// reaches service IPs through the edge switch (the loop's gateway port).
//
// FlexiMigrate's six scenarios, each ending with the workload serving in
// exactly one place with its state (the server's request counter continues),
// then a scheduler killed with SIGKILL during EXECUTION, and a full run where
// case-3 moves are real post-copy migrations edge→cloud.
import { execFile } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import { basename, dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { MoveInput, MoveRecord, Placed } from "../../../../src/api-types/scheduler.js";
import { type RunningLoop, startLoop } from "../../../../src/demo/loop-cluster.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";
import { runFleet } from "../../../../src/devices/fleet.js";
import { overallStats } from "../../../../src/devices/stats.js";
import { loopDevices } from "../../../../src/demo/up-loop.js";
import { ServiceDevice } from "../../../helpers/service-device.js";
import { waitFor } from "../../../helpers/wait.js";

const run = promisify(execFile);
const PREFIX = "fmx";
const STATE = "/tmp/fmx-loop-state";
const FINAL = new Set(["COMPLETED", "FAILED"]);

describeWhen("the closed loop: tasks run, moves migrate live, the network follows", missing([needs.root(), needs.ovs(), needs.criu()]), () => {
  let loop: RunningLoop;
  let seq = 0;

  beforeAll(async () => {
    await run("bash", ["scripts/services.sh", "start", "ovs"]);
    rmSync(STATE, { recursive: true, force: true });
    loop = await startLoop({
      prefix: PREFIX,
      stateDir: STATE,
      schedulerArgs: ["--allow-faults", "--min-residence", "0"],
      agentArgs: ["--allow-faults"],
    });
  }, 120_000);

  afterAll(async () => {
    await loop?.stop();
    rmSync(STATE, { recursive: true, force: true });
  }, 60_000);

  /** Places a task with a generous budget; answers where it serves. */
  async function place(budgetMs = 400): Promise<Placed> {
    const id = `x-${++seq}`;
    const outcome = await loop.scheduler.submitTask({ id, device: `dev-${id}`, workload: "detect", inputClass: "small", delayBudgetMs: budgetMs }, { timeoutMs: 60_000 });
    if (outcome.outcome !== "placed") throw new Error(`task ${id} refused: ${outcome.refused.reason}\n${loop.tails()}`);
    expect(outcome.placed.serviceIp, "a task on a node with an agent gets a service IP").toMatch(/^10\.77\./);
    return outcome.placed;
  }

  async function move(input: MoveInput): Promise<MoveRecord> {
    const requested = await loop.scheduler.requestMove(input);
    return waitFor(
      async () => {
        const m = await loop.scheduler.migration(requested.id);
        return FINAL.has(m.state ?? "") ? m : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 100, what: `move ${requested.id} of ${input.task} to a final state` },
    );
  }

  /** Every running copy of a task's workload, on every agent. */
  const copies = (task: string) => loop.copies(task);

  const states = (m: MoveRecord) => (m.timeline ?? []).map((t) => t.state).filter((s, i, all) => i === 0 || all[i - 1] !== s);

  /** A device holding one connection through `action`: answers before, during and after. */
  async function withDevice<T>(placed: Placed, action: () => Promise<T>): Promise<{ result: T; device: ServiceDevice }> {
    const device = new ServiceDevice(placed.serviceIp!, placed.port!, { everyMs: 50, timeoutMs: 60_000 });
    device.start();
    await device.answersAfter(5);
    const result = await action();
    await device.answersAfter(5);
    await device.stop();
    return { result, device };
  }

  it("a full run: devices fill the edge, case-3 moves are real post-copy migrations edge→cloud, every moved task keeps answering", async () => {
    const specs = loopDevices(40_000, 1000);
    const results = await runFleet(specs, { scheduler: loop.scheduler, rate: 4, requestTimeoutMs: 30_000, keep: true });
    const stats = overallStats(results.map((r) => ({ outcomes: r.status === "ran" ? r.outcomes : [], budgetMs: r.budgetMs })));
    // What the devices measured, for the run's record (not asserted: it depends on the machine's load).
    console.log(`full run: ${stats.requests} requests, p50 ${stats.latencyMs.p50} ms, p99 ${stats.latencyMs.p99} ms, deadline-miss rate ${(stats.missRate * 100).toFixed(1)} %, longest gap ${stats.longestGapMs} ms`);
    expect(results.map((r) => r.status), JSON.stringify(results.filter((r) => r.status !== "ran"))).toEqual(specs.map(() => "ran"));
    const moves = (await loop.scheduler.migrations()).filter((m) => m.state === "COMPLETED");
    expect(moves.length, "case-3 moves completed").toBeGreaterThan(0);
    for (const m of moves) {
      expect(m.strategy).toBe("postcopy");
      expect(m.from).toMatch(/^edge/);
      expect(m.to).toBe("cloud1");
    }
    // The devices of moved tasks held their one connection through the move: nothing reset, nothing lost.
    for (const r of results) {
      if (r.status !== "ran") continue;
      expect(r.outcomes.filter((o) => !o.ok), `${r.device}'s failed requests`).toEqual([]);
      expect(r.connections, `${r.device}'s connections`).toBe(1);
    }
    // Each moved task answers on its unchanged service IP, from the cloud, with one copy.
    for (const m of moves) {
      const where = await copies(m.task.id);
      expect(where.map((c) => c.node)).toEqual(["cloud1"]);
      const device = new ServiceDevice(where[0]!.workload.network!.ip, 8080, { everyMs: 20 });
      device.start();
      await device.answersAfter(2);
      await device.stop();
    }
    for (const r of results) if (r.status === "ran") await loop.scheduler.releaseTask(r.task);
  }, 300_000);

  it("1. success: PENDING → PLANNING → PREPARATION → EXECUTION → VERIFICATION → COMPLETED, post-copy edge→cloud; the device's connection and the counter go on", async () => {
    const placed = await place();
    expect(placed.node).toMatch(/^edge/);
    const { result: m, device } = await withDevice(placed, () => move({ task: placed.task.id, to: "cloud1", strategy: "postcopy" }));
    expect(m.state, m.log?.join("\n")).toBe("COMPLETED");
    expect(states(m)).toEqual(["PENDING", "PLANNING", "PREPARATION", "EXECUTION", "VERIFICATION", "COMPLETED"]);
    expect(m.log?.some((l) => /^INFO \[MigrationManager\]: .* - Transitioning: VERIFICATION -> COMPLETED$/.test(l))).toBe(true);
    expect(m.log?.at(-1)).toMatch(/Final State: COMPLETED/);
    expect(m.strategy).toBe("postcopy");
    expect(m.metrics?.networkReconfigurationMs).toBeGreaterThan(0);
    expect(m.metrics?.frozenMs).toBeGreaterThan(0);
    // One place, the new one; the placement says so too.
    const where = await copies(placed.task.id);
    expect(where.map((c) => c.node)).toEqual(["cloud1"]);
    expect(where[0]!.workload.network?.ip).toBe(placed.serviceIp);
    expect((await loop.scheduler.task(placed.task.id)).node).toBe("cloud1");
    // The device's one connection held, no request was lost, and the counter continued.
    expect(device.log.errors).toEqual([]);
    expect(device.log.connections).toBe(1);
    expect(device.log.counterContinued(), JSON.stringify(device.log.answers.map((a) => a.served))).toBe(true);
    // DNS follows: the task's name answers its unchanged IP.
    const dns = await loop.controller.dns();
    expect(dns.records.some((r) => r.ip === placed.serviceIp)).toBe(true);
    // The network followed during the frozen window (both copies fenced), so it was done by the resume.
    expect(m.log?.some((l) => /redirected to [0-9a-f]{16}:\d+ during the frozen window/.test(l)), m.log?.join("\n")).toBe(true);
    expect(m.metrics?.resumeToRedirectMs).toBe(0);
    // The device's frames sent while frozen were held by the controller and sent on the moment the destination's port opened.
    const held = (await loop.controller.redirects()).redirects.filter((r) => r.service === placed.task.id && r.hold);
    expect(held.map((r) => r.hold?.state)).toEqual(["released"]);
    console.log(`held redirect: ${JSON.stringify(held[0]!.hold)}`);
    // The device reports what it measured; the move's record then holds the downtime the device saw.
    const samples = device.log.answers.map((a) => ({ at: a.at - a.ms, e2eMs: a.ms }));
    for (let i = 0; i < samples.length; i += 1000) await loop.scheduler.reportSamples(placed.task.id, { samples: samples.slice(i, i + 1000) });
    const seen = (await loop.scheduler.migration(m.id)).metrics?.deviceSeenDowntimeMs;
    const longestGap = device.log.longestGapMs();
    console.log(`success move: frozen ${m.metrics?.frozenMs} ms, the device saw ${seen} ms (longest gap ${longestGap} ms), redirect ${m.metrics?.networkReconfigurationMs} ms`);
    expect(seen).toBeTypeOf("number");
    expect(seen!).toBeLessThanOrEqual(longestGap);
  }, 240_000);

  it("2. failure in PENDING: the workload is gone from its agent, or the destination is unreachable: FAILED, nothing touched", async () => {
    const placed = await place();
    await loop.agentClient(loop.agents.get(placed.node)!).deleteWorkload(placed.task.id);
    const gone = await move({ task: placed.task.id, to: "cloud1" });
    expect(gone.state).toBe("FAILED");
    expect(states(gone)).toEqual(["PENDING", "FAILED"]);
    expect(gone.error).toMatch(/workload|hold/i);
    await loop.scheduler.releaseTask(placed.task.id);

    const live = await place();
    await loop.scheduler.registerNode({ name: "ghost", tier: "cloud", cpus: 4, netDelayMs: 20, endpoint: "http://127.0.0.1:9" });
    const unreachable = await move({ task: live.task.id, to: "ghost" });
    expect(unreachable.state).toBe("FAILED");
    expect(states(unreachable)).toEqual(["PENDING", "FAILED"]);
    expect(unreachable.error).toMatch(/ghost/);
    expect((await copies(live.task.id)).map((c) => c.node)).toEqual([live.node]);
    expect((await loop.scheduler.task(live.task.id)).node).toBe(live.node);
  }, 120_000);

  it("3. failure in PLANNING: a policy denies the move: FAILED, nothing touched", async () => {
    const placed = await place();
    const m = await move({ task: placed.task.id, to: "cloud1", faults: { policyDenies: "no moves during the test" } });
    expect(states(m)).toEqual(["PENDING", "PLANNING", "FAILED"]);
    expect(m.log?.some((l) => l.includes("[PolicyEnforcer]"))).toBe(true);
    expect((await copies(placed.task.id)).map((c) => c.node)).toEqual([placed.node]);
    expect((await loop.scheduler.task(placed.task.id)).node).toBe(placed.node);
  }, 120_000);

  it("4. failure in PREPARATION: the VXLAN link to the cloud is down, the controller knows no path: undone, ROLLING_BACK → FAILED", async () => {
    const placed = await place();
    const vxlan = loop.plan.links.find((l) => l.kind === "vxlan" && l.sites.includes("cloud") && l.a.node === placed.node);
    const dev = vxlan ? (vxlan.a.node === placed.node ? vxlan.a.port : vxlan.b.port) : undefined;
    expect(dev, "the edge node's VXLAN port toward the cloud").toBeDefined();
    await run("ip", ["link", "set", dev!, "down"]);
    try {
      await waitFor(
        async () => {
          const t = await loop.controller.topology();
          return !t.links.some((l) => [l.src.port, l.dst.port].includes(vxlan!.a.ofport) && [l.src.dpid, l.dst.dpid].includes(loop.plan.bridges.find((b) => b.node === placed.node)!.dpid)) || undefined;
        },
        { timeoutMs: 30_000, intervalMs: 250, what: "the controller to drop the VXLAN link" },
      );
      const m = await move({ task: placed.task.id, to: "cloud1" });
      expect(states(m)).toEqual(["PENDING", "PLANNING", "PREPARATION", "ROLLING_BACK", "FAILED"]);
      expect(m.error).toMatch(/no path/);
      expect((await copies(placed.task.id)).map((c) => c.node)).toEqual([placed.node]);
      expect((await loop.scheduler.task(placed.task.id)).node).toBe(placed.node);
    } finally {
      await run("ip", ["link", "set", dev!, "up"]);
    }
    await waitFor(async () => (await loop.controller.topology()).links.length >= loop.plan.links.length || undefined, {
      timeoutMs: 30_000,
      intervalMs: 250,
      what: "the VXLAN link back in the topology",
    });
  }, 120_000);

  it("5. failure in EXECUTION: an image chunk corrupted in transfer: the workload runs on at the source with its state", async () => {
    const placed = await place();
    const { result: m, device } = await withDevice(placed, () => move({ task: placed.task.id, to: "cloud1", strategy: "stopcopy", faults: { agent: { corrupt: true } } }));
    expect(states(m)).toEqual(["PENDING", "PLANNING", "PREPARATION", "EXECUTION", "ROLLING_BACK", "FAILED"]);
    expect((await copies(placed.task.id)).map((c) => c.node)).toEqual([placed.node]);
    expect((await loop.scheduler.task(placed.task.id)).node).toBe(placed.node);
    expect(device.log.counterContinued(), JSON.stringify(device.log.answers.map((a) => a.served))).toBe(true);
  }, 240_000);

  it("6. failure in VERIFICATION: the restored service does not answer its probe: rolled back to the source, which serves on", async () => {
    const placed = await place();
    const { result: m, device } = await withDevice(placed, () => move({ task: placed.task.id, to: "cloud1", strategy: "postcopy", faults: { probePath: "/not-the-service" } }));
    expect(states(m)).toEqual(["PENDING", "PLANNING", "PREPARATION", "EXECUTION", "VERIFICATION", "ROLLING_BACK", "FAILED"]);
    expect(m.metrics?.changesDiscarded).toBe(true);
    expect(m.metrics?.destinationRanMs).toBeGreaterThan(0);
    const where = await copies(placed.task.id);
    expect(where.map((c) => c.node)).toEqual([placed.node]);
    expect((await loop.scheduler.task(placed.task.id)).node).toBe(placed.node);
    // The tree restored from the images got a group of its own; the one of the tree it replaced is gone.
    const group = where[0]!.workload.cgroup!;
    const siblings = readdirSync(`/sys/fs/cgroup/cpu/${dirname(group)}`).filter((g) => g.startsWith(`${placed.task.id}.`));
    expect(siblings).toEqual([basename(group)]);
    // The device saw the source again: the redirect was rolled back and it answers on the same IP.
    // A connection that talked with the destination after the resume cannot continue from the
    // checkpoint: the source restores it closed, so the device gets a reset and reconnects.
    console.log(`rollback after resume: the device opened ${device.log.connections} connection(s), errors ${JSON.stringify(device.log.errors.map((e) => e.code))}`);
    expect(device.log.answers.length).toBeGreaterThan(10);
    const after = new ServiceDevice(placed.serviceIp!, placed.port!, { everyMs: 20 });
    after.start();
    await after.answersAfter(3);
    await after.stop();
  }, 240_000);

  it("the scheduler killed with SIGKILL during EXECUTION finishes or rolls back the move after a restart: one copy serves", async () => {
    const placed = await place();
    const requested = await loop.scheduler.requestMove({ task: placed.task.id, to: "cloud1", strategy: "stopcopy" });
    await waitFor(async () => ((await loop.scheduler.migration(requested.id)).state === "EXECUTION" ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 5,
      what: "the move in EXECUTION",
    });
    await loop.crashScheduler();
    await sleep(500);
    await loop.restartScheduler();
    const m = await waitFor(
      async () => {
        const r = await loop.scheduler.migration(requested.id).catch(() => undefined);
        return r && FINAL.has(r.state ?? "") ? r : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 200, what: "the recovered move to a final state" },
    );
    expect(m.log?.join("\n")).toMatch(/recover/i);
    const where = await waitFor(async () => {
      const c = await copies(placed.task.id);
      return c.length === 1 ? c : undefined;
    }, { timeoutMs: 30_000, what: "exactly one running copy" });
    expect(where[0]!.node).toBe(m.state === "COMPLETED" ? "cloud1" : placed.node);
    // The restarted scheduler kept its placements (state journal) and agrees with where the copy runs.
    expect((await loop.scheduler.task(placed.task.id)).node).toBe(where[0]!.node);
    expect((await loop.scheduler.placements()).length).toBeGreaterThan(1);
    const device = new ServiceDevice(placed.serviceIp!, placed.port!, { everyMs: 20 });
    device.start();
    await device.answersAfter(3);
    await device.stop();
  }, 300_000);
});
