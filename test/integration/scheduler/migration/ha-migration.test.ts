// The leading scheduler SIGKILLed while a live migration is in EXECUTION,
// with every part real: the closed loop (src/demo/loop-cluster.ts: the
// controller, OVS bridges, three agents moving the workload with CRIU) run
// by two schedulers on a three-member etcd. The agents and the test's client
// are given both schedulers' URLs and follow the leader. The standby takes
// over, recovers the move from its FSM state, finishes or rolls it back, and
// the workload then runs in exactly one place, where the placement says.
import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Placed } from "../../../../src/api-types/scheduler.js";
import { SchedulerClient } from "../../../../src/clients/scheduler.js";
import { type RunningLoop, startLoop } from "../../../../src/demo/loop-cluster.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";
import { startEtcdCluster, type TestEtcdCluster } from "../../../helpers/etcd.js";
import { ServiceDevice } from "../../../helpers/service-device.js";
import { waitFor } from "../../../helpers/wait.js";

const run = promisify(execFile);
const PREFIX = "fmhs";
const STATE = "/tmp/fmhs-loop-state";
const FINAL = new Set(["COMPLETED", "FAILED"]);

describeWhen("scheduler replicas: the leader SIGKILLed during a migration in EXECUTION", missing([needs.root(), needs.ovs(), needs.criu(), needs.etcd()]), () => {
  let cluster: TestEtcdCluster;
  let loop: RunningLoop;

  beforeAll(async () => {
    await run("bash", ["scripts/services.sh", "start", "ovs"]);
    rmSync(STATE, { recursive: true, force: true });
    cluster = await startEtcdCluster(3, "fmhs-mig");
    loop = await startLoop({
      prefix: PREFIX,
      stateDir: STATE,
      schedulerArgs: ["--store", cluster.url, "--allow-faults", "--min-residence", "0"],
      agentArgs: ["--allow-faults"],
      standbySchedulers: 1,
    });
  }, 180_000);

  afterAll(async () => {
    await loop?.stop();
    await cluster?.stop();
    rmSync(STATE, { recursive: true, force: true });
  }, 90_000);

  /** Every running copy of a task's workload, on every agent. */
  const copies = (task: string) => loop.copies(task);

  const one = (url: string) => new SchedulerClient(url, { ...(loop.tls ? { tls: loop.tls } : {}), timeoutMs: 2_000 });
  const role = (url: string) => one(url).leadership({ retry: false }).then((v) => v.role, () => undefined);

  it("the standby takes over, recovers the move from its FSM state and finishes or rolls it back: one copy serves", async () => {
    const leader = await waitFor(
      async () => {
        for (const s of loop.schedulers) if ((await role(s.url)) === "leader") return s;
        return undefined;
      },
      { timeoutMs: 30_000, what: "a scheduler to lead" },
    );
    const standby = loop.schedulers.find((s) => s !== leader)!;
    expect(await role(standby.url)).toBe("standby");

    const outcome = await loop.scheduler.submitTask({ id: "ha-x", device: "dev-ha-x", workload: "detect", inputClass: "small", delayBudgetMs: 400 }, { timeoutMs: 60_000 });
    if (outcome.outcome !== "placed") throw new Error(`task refused: ${outcome.refused.reason}\n${loop.tails()}`);
    const placed: Placed = outcome.placed;
    const requested = await loop.scheduler.requestMove({ task: placed.task.id, to: "cloud1", strategy: "stopcopy" });
    // Killed once the source agent's migration runs: the new leader must ask the agent where it is.
    await waitFor(
      async () => {
        const m = await loop.scheduler.migration(requested.id);
        if (m.state === "EXECUTION" && m.agentMigrationId) return true;
        if (["VERIFICATION", "COMPLETED", "ROLLING_BACK", "FAILED"].includes(m.state ?? "")) throw new Error(`the move left EXECUTION (${m.state}) before the kill`);
        return undefined;
      },
      { timeoutMs: 60_000, intervalMs: 5, what: "the move in EXECUTION with the agent's migration started" },
    );
    const killedAt = Date.now();
    await leader.kill();
    await waitFor(async () => ((await role(standby.url)) === "leader" ? true : undefined), { timeoutMs: 30_000, intervalMs: 20, what: "the standby to lead" });
    const takeoverMs = Date.now() - killedAt;

    // The loop's client has both URLs: it follows the new leader without being told.
    const m = await waitFor(
      async () => {
        const r = await loop.scheduler.migration(requested.id).catch(() => undefined);
        return r && FINAL.has(r.state ?? "") ? r : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 200, what: "the recovered move to a final state" },
    );
    expect(m.log?.join("\n")).toMatch(/recover/i);
    const where = await waitFor(
      async () => {
        const c = await copies(placed.task.id);
        return c.length === 1 ? c : undefined;
      },
      { timeoutMs: 30_000, what: "exactly one running copy" },
    );
    expect(where[0]!.node).toBe(m.state === "COMPLETED" ? "cloud1" : placed.node);
    expect((await one(standby.url).task(placed.task.id)).node).toBe(where[0]!.node);
    // Agents follow the new leader without a restart: their reports arrive there.
    const tookOver = new Date(killedAt + takeoverMs).toISOString();
    await sleep(2_000);
    const nodes = await one(standby.url).nodes();
    expect(nodes.length).toBe(loop.agents.size);
    for (const n of nodes) expect(n.reportedAt ?? "", `${n.name} reported to the new leader`).toMatch(/^\d{4}-/);
    for (const n of nodes) expect(n.reportedAt! > tookOver, `${n.name} reported to the new leader after it took over`).toBe(true);
    const device = new ServiceDevice(where[0]!.workload.network!.ip, placed.port!, { everyMs: 20 });
    device.start();
    await device.answersAfter(3);
    await device.stop();
    console.log(
      `scheduler HA during a migration: leader SIGKILLed in EXECUTION, standby led ${takeoverMs} ms later (goal < 5000 ms); ` +
        `move ${m.id} ${m.state} (${(m.timeline ?? []).map((t) => t.state).join(" → ")}); recovery: ${m.log?.[(m.log?.findIndex((l) => /Recovering after a restart/.test(l)) ?? -2) + 1] ?? "?"}; one copy on ${where[0]!.node}; placement agrees`,
    );
  }, 360_000);
});
