// Group migration, end to end with every part real (controller, OVS bridges
// joined by VXLAN, the scheduler with its migration manager, agents running
// each member's workload under CRIU): a shop service of three members, db
// (start order 0), api replicated twice and web (start order 1), moves
// edge→cloud as one request while one device per member talks to it through
// the network. Then a member failing mid-group (a corrupted image chunk)
// rolls the group back: every member serves in exactly one place, where it
// started, with its state.
import { rmSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { GroupMigrationRecord, MoveFaults, MoveRecord, Placed } from "../../../../src/api-types/scheduler.js";
import { type LoopNode, type RunningLoop, startLoop } from "../../../../src/demo/loop-cluster.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";
import { type DeviceAnswer, ServiceDevice } from "../../../helpers/service-device.js";
import { waitFor } from "../../../helpers/wait.js";

const PREFIX = "fmgrp";
const STATE = "/tmp/fmgrp-loop-state";
/** One edge big enough for the whole service, and the cloud. */
const NODES: LoopNode[] = [
  { name: "edge1", tier: "edge", site: "edge-a", cpus: 2, netDelayMs: 2 },
  { name: "cloud1", tier: "cloud", site: "cloud", cpus: 4, netDelayMs: 20 },
];
const MEMBERS = [
  { key: "db", member: "db", order: 0, replica: 0 },
  { key: "api-0", member: "api", order: 1, replica: 0 },
  { key: "api-1", member: "api", order: 1, replica: 1 },
  { key: "web", member: "web", order: 1, replica: 0 },
] as const;

describeWhen("group migration: a replicated service moves edge→cloud as one request, or rolls back as one", missing([needs.root(), needs.ovs(), needs.criu()]), () => {
  let loop: RunningLoop;

  beforeAll(async () => {
    rmSync(STATE, { recursive: true, force: true });
    loop = await startLoop({ prefix: PREFIX, nodes: NODES, stateDir: STATE, schedulerArgs: ["--allow-faults", "--min-residence", "0"], agentArgs: ["--allow-faults"] });
  }, 120_000);

  afterAll(async () => {
    await loop?.stop();
    rmSync(STATE, { recursive: true, force: true });
  }, 60_000);

  /** The shop's members placed on the edge, each with its own service IP. */
  async function placeShop(group: string): Promise<Map<string, Placed>> {
    const placed = new Map<string, Placed>();
    for (const m of MEMBERS) {
      const id = `${group}-${m.key}`;
      const outcome = await loop.scheduler.submitTask(
        { id, device: `dev-${id}`, workload: "detect", inputClass: "small", delayBudgetMs: 400, group: { name: group, member: m.member, order: m.order, replica: m.replica } },
        { timeoutMs: 60_000 },
      );
      if (outcome.outcome !== "placed") throw new Error(`task ${id} refused: ${outcome.refused.reason}\n${loop.tails()}`);
      expect(outcome.placed.node).toBe("edge1");
      placed.set(m.key, outcome.placed);
    }
    return placed;
  }

  /** Every running copy of a task's workload, on every agent. */
  const copies = (task: string) => loop.copies(task);

  /** Moves the group with one device per member talking to it throughout; answers the final record and the devices. */
  async function moveWithDevices(group: string, placed: Map<string, Placed>, faults?: Record<string, MoveFaults>) {
    const devices = new Map([...placed].map(([key, p]) => [key, new ServiceDevice(p.serviceIp!, p.port!, { everyMs: 50, timeoutMs: 90_000 })]));
    for (const d of devices.values()) d.start();
    for (const d of devices.values()) await d.answersAfter(5);
    const started = await loop.scheduler.migrateGroup(group, { to: "cloud1", strategy: "stopcopy", ...(faults ? { faults } : {}) });
    expect(started.state).toBe("running");
    const record = await waitFor(
      async () => {
        const r = await loop.scheduler.groupMigration(group, started.id);
        return r.finishedAt !== null ? r : undefined;
      },
      { timeoutMs: 400_000, intervalMs: 250, what: `group ${group}'s migration to its outcome` },
    );
    for (const d of devices.values()) await d.answersAfter(5, 60_000);
    for (const d of devices.values()) await d.stop();
    const moves = new Map<string, MoveRecord>();
    for (const m of record.members) {
      for (const id of [m.migration, m.backMigration]) if (id) moves.set(id, await loop.scheduler.migration(id));
    }
    return { record, devices, moves };
  }

  /** When a move froze its workload and when it ran again (EXECUTION entered, VERIFICATION entered), ms since the epoch. */
  const executionWindow = (m: MoveRecord): [number, number] => {
    const at = (s: string) => Date.parse(m.timeline!.find((t) => t.state === s)!.at);
    return [at("EXECUTION"), at("VERIFICATION")];
  };
  const answersIn = (answers: DeviceAnswer[], [from, to]: [number, number]) => answers.filter((a) => a.at >= from && a.at <= to).length;
  const describeRecord = (r: GroupMigrationRecord) =>
    [
      `group ${r.group} ${r.id}: ${r.state} in ${r.totalMs} ms`,
      ...r.rounds.map((x) => `  round ${x.round}: parallelism ${x.parallelism} [${x.tasks.join(", ")}] (${x.reason}) ${x.transfers.map((t) => `${t.task} ${t.mbps} Mbit/s`).join(", ")}`),
      ...r.members.map((m) => `  ${m.task}: ${m.phase} (${m.state}) runs on ${m.runsOn}, downtime ${m.downtimeMs} ms${m.error ? `, ${m.error}` : ""}`),
    ].join("\n");

  it("moves the 3-member service (api replicated twice) edge→cloud in start order, one api replica at a time, answering throughout", async () => {
    const placed = await placeShop("shop");
    const { record, devices, moves } = await moveWithDevices("shop", placed);
    console.log(describeRecord(record));
    expect(record.state, `${record.log.join("\n")}\n${loop.tails()}`).toBe("completed");
    expect(record.members.map((m) => [m.task, m.phase, m.state, m.runsOn])).toEqual(MEMBERS.map((m) => [`shop-${m.key}`, "Migrated", "COMPLETED", "cloud1"]));
    for (const m of record.members) expect(m.downtimeMs, `${m.task}'s downtime`).toBeGreaterThan(0);
    expect(record.totalMs).toBeGreaterThan(0);
    // Start order: db alone first; no member of order 1 started before db ran on the cloud.
    expect(record.rounds[0]).toMatchObject({ round: 1, parallelism: 1, tasks: ["shop-db"] });
    const dbDone = Date.parse(moves.get(record.members[0]!.migration!)!.timeline!.at(-1)!.at);
    for (const m of record.members.slice(1)) expect(Date.parse(moves.get(m.migration!)!.requestedAt)).toBeGreaterThanOrEqual(dbDone);
    // Each round after the first: the parallelism the balancer chose and why, from measured transfers.
    expect(record.rounds.length).toBeGreaterThanOrEqual(3);
    for (const r of record.rounds) expect(r.reason.length).toBeGreaterThan(0);
    expect(record.rounds[0]!.transfers.length, "the first round's transfer was measured").toBe(1);
    // The api replicas never moved together.
    for (const r of record.rounds) expect(r.tasks.filter((t) => t.startsWith("shop-api")).length).toBeLessThanOrEqual(1);
    // Measured, not assumed: while one api replica was frozen and restored, the other answered its device.
    const api0 = devices.get("api-0")!.log;
    const api1 = devices.get("api-1")!.log;
    const w0 = executionWindow(moves.get(record.members[1]!.migration!)!);
    const w1 = executionWindow(moves.get(record.members[2]!.migration!)!);
    console.log(`api-0 frozen window ${w0[1] - w0[0]} ms: api-1 answered ${answersIn(api1.answers, w0)} times; api-1 window ${w1[1] - w1[0]} ms: api-0 answered ${answersIn(api0.answers, w1)} times`);
    expect(answersIn(api1.answers, w0), "api-1 answered while api-0 moved").toBeGreaterThan(0);
    expect(answersIn(api0.answers, w1), "api-0 answered while api-1 moved").toBeGreaterThan(0);
    // Every member answered throughout on its one connection, its state (the counter) continued; one copy, on the cloud.
    for (const [key, d] of devices) {
      expect(d.log.errors, `${key}'s device errors`).toEqual([]);
      expect(d.log.connections, `${key}'s connections`).toBe(1);
      expect(d.log.counterContinued(), `${key}'s counter`).toBe(true);
      console.log(`${key}: ${d.log.answers.length} answers, longest gap ${d.log.longestGapMs()} ms`);
    }
    for (const m of MEMBERS) expect((await copies(`shop-${m.key}`)).map((c) => c.node)).toEqual(["cloud1"]);
    for (const m of MEMBERS) await loop.scheduler.releaseTask(`shop-${m.key}`);
  }, 600_000);

  it("a member failing mid-group (a corrupted image chunk) rolls the group back: every member serves in exactly one place, where it started", async () => {
    const placed = await placeShop("cart");
    const { record, devices, moves } = await moveWithDevices("cart", placed, { "cart-web": { agent: { corrupt: true } } });
    console.log(describeRecord(record));
    expect(record.state, `${record.log.join("\n")}\n${loop.tails()}`).toBe("rolled-back");
    expect(record.error).toMatch(/cart-web/);
    const byTask = new Map(record.members.map((m) => [m.task, m]));
    expect(byTask.get("cart-web")).toMatchObject({ phase: "Failed", state: "FAILED", runsOn: "edge1" });
    // db moved in the first round, so it was moved back through the manager.
    expect(byTask.get("cart-db")).toMatchObject({ phase: "Moved back", state: "COMPLETED", backState: "COMPLETED", runsOn: "edge1" });
    for (const m of record.members) {
      if (m.state === "COMPLETED") expect(moves.get(m.backMigration!)?.state, `${m.task} moved back`).toBe("COMPLETED");
    }
    for (const m of MEMBERS) {
      const task = `cart-${m.key}`;
      expect((await copies(task)).map((c) => c.node), `${task}'s running copies`).toEqual(["edge1"]);
      expect((await loop.scheduler.task(task)).node).toBe("edge1");
    }
    for (const [key, d] of devices) {
      expect(d.log.errors, `${key}'s device errors`).toEqual([]);
      expect(d.log.counterContinued(), `${key}'s counter`).toBe(true);
    }
    for (const m of MEMBERS) await loop.scheduler.releaseTask(`cart-${m.key}`);
  }, 600_000);
});
