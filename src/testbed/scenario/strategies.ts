// The strategies scenario: the same workload (the image server holding SIZE
// MiB of touched memory) placed at the edge and moved edge→cloud over the WAN
// link by each strategy, at each size. CRIU strategies go through the
// scheduler's migration API (its state machine, the agents, the redirect);
// Docker's checkpoint/restore through the agents' own migration API, because
// the scheduler starts tasks only from its command catalog (see DOCKER_VIA).
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { MigrationView } from "../../api-types/agent.js";
import type { MoveMetrics, MoveRecord } from "../../api-types/scheduler.js";
import { waitFor } from "../../wait.js";
import { ballastReady, ballastWorkloadSpec, type DockerEngine } from "../docker-engine.js";
import type { RunningTestbed } from "../testbed.js";
import type { Measurements, StrategyMove } from "./measurements.js";
import { copiesOf, followMove, migrationRecord, statesOf } from "./moves.js";
import type { Scenario } from "./types.js";

/**
 * Met at the cloud with room to spare (the WAN alone is ~23 ms there; 45 ms left
 * the move refused whenever the measured delay came out a little high). Delay-aware
 * places a task on the edge whenever an edge node fits (rule 1), so the task still
 * starts there and only the move puts it in the cloud.
 */
const BUDGET_MS = 100;
const MOVE_TIMEOUT_MS = 600_000;

export const DOCKER_VIA =
  "docker: moved through the agents' migration API (POST /v1/migrations on the source agent, destination the cloud agent's site address, so the checkpoint crosses the WAN), not the scheduler's: the scheduler starts a task from its workload catalog, which names commands only (scheduler/service/workload-catalog.ts, task-runtime.ts), so it never places a Docker workload and its state machine does not apply; the state given is the agent migration's status. The container is on the engine's own network, not the testbed's switches: nothing to redirect";

export const ballastWorkload = (mib: number) => `ballast-${mib}`;

/** The scheduler's embedded profiling samples (a data file the scheduler reads; src/ imports none of its code). */
const DEFAULT_SAMPLES = new URL("../../../scheduler/defaults/samples.csv", import.meta.url);

/**
 * The scheduler's inputs for this scenario: a catalog giving each size a name
 * that runs the shipped image server holding that much memory, and samples
 * with detect/small's rows again under each name (the same latency model;
 * from the scenario's samples when it names some, else the scheduler's own).
 */
export function strategiesSchedulerArgs(dir: string, s: Scenario): string[] {
  const catalog = Object.fromEntries(s.sizesMiB.map((mib) => [ballastWorkload(mib), { shipped: "image-server", env: { FLEXIMIGRATE_WORKLOAD_BALLAST_MIB: String(mib) } }]));
  const lines = readFileSync(s.samples ?? DEFAULT_SAMPLES, "utf8").split("\n").filter((l) => l.trim() !== "");
  const small = lines.filter((l) => l.startsWith("detect,small,"));
  const samples = [...lines, ...s.sizesMiB.flatMap((mib) => small.map((l) => l.replace(/^detect,/, `${ballastWorkload(mib)},`)))];
  const files = { catalog: path.join(dir, "workloads.json"), samples: path.join(dir, "samples.csv") };
  writeFileSync(files.catalog, JSON.stringify(catalog));
  writeFileSync(files.samples, `${samples.join("\n")}\n`);
  return ["--workloads", files.catalog, "--samples", files.samples];
}

const mbit = (bytes: number | null | undefined, ms: number | null | undefined) => (bytes && ms ? Math.round(((bytes * 8) / (ms * 1000)) * 100) / 100 : null);

function fromMetrics(x: Pick<MoveMetrics, "totalMs" | "frozenMs" | "transferMs" | "bytesBeforeResume" | "bytesAfterResume"> | null | undefined) {
  const before = x?.bytesBeforeResume ?? null;
  const after = x?.bytesAfterResume ?? null;
  const bytes = before === null && after === null ? null : (before ?? 0) + (after ?? 0);
  const totalMs = x?.totalMs ?? null;
  return {
    downtimeMs: x?.frozenMs ?? null,
    totalMs,
    transferMs: x?.transferMs ?? null,
    bytesBeforeResume: before,
    bytesAfterResume: after,
    bytes,
    rateMbit: mbit(bytes, totalMs),
    transferMbit: mbit(before, x?.transferMs),
  };
}

export interface StrategiesContext {
  tb: RunningTestbed;
  m: Measurements;
  policy: string;
  runStart: number;
  prefix: string;
  docker?: DockerEngine;
  log: (line: string) => void;
}

export async function strategies(s: Scenario, c: StrategiesContext): Promise<void> {
  const out: StrategyMove[] = (c.m.strategies ??= []);
  if (s.strategies.includes("docker")) c.m.notes.push(c.docker?.ok ? DOCKER_VIA : `docker: not run: ${c.docker && !c.docker.ok ? c.docker.reason : "no engine prepared"}`);
  for (const size of s.sizesMiB) {
    for (const strategy of s.strategies) {
      c.log(`strategies: ${strategy}, ${size} MiB`);
      let move: StrategyMove | undefined;
      if (strategy === "docker") {
        if (c.docker?.ok) move = await dockerMove(c, size, c.docker.image);
      } else move = await scheduledMove(c, size, strategy);
      if (!move) continue;
      out.push(move);
      c.log(
        `strategies: ${strategy} ${size} MiB: ${move.state}${move.error ? ` (${move.error})` : ""}; downtime ${move.downtimeMs ?? "?"} ms, total ${move.totalMs ?? "?"} ms, ${move.bytes ?? "?"} bytes, ${move.rateMbit ?? "?"} Mbit/s`,
      );
    }
  }
}

/** A managed move: the task placed at the edge by the scheduler, moved by its migration API. */
async function scheduledMove(c: StrategiesContext, size: number, strategy: Exclude<Scenario["strategy"], "docker">): Promise<StrategyMove> {
  const { tb } = c;
  const id = `st-${size}-${strategy}`;
  const cloud = tb.plan.hosts.find((h) => h.tier === "cloud")!.node;
  const empty = (from: string, error: string): StrategyMove => ({
    strategy,
    ran: null,
    sizeMiB: size,
    via: "scheduler",
    task: id,
    from,
    to: cloud,
    state: "NOT_STARTED",
    states: [],
    migration: null,
    ...fromMetrics(null),
    error,
  });
  try {
    const outcome = await tb.loop.scheduler.submitTask({ id, device: `dev-${id}`, workload: ballastWorkload(size), inputClass: "small", delayBudgetMs: BUDGET_MS }, { timeoutMs: 180_000 });
    if (outcome.outcome !== "placed") return empty("", `not placed: ${outcome.refused.reason}`);
    const from = outcome.placed.node;
    if (tb.plan.hosts.find((h) => h.node === from)?.tier !== "edge") return empty(from, `placed on ${from}, not at the edge`);
    let x: MoveRecord;
    try {
      x = await followMove(tb, { task: id, to: cloud, strategy }, MOVE_TIMEOUT_MS);
    } catch (err) {
      return empty(from, (err as Error).message.split("\n")[0]!);
    }
    c.m.migrations.push(migrationRecord(x, c.runStart, c.policy, { sizeMiB: size }));
    const copies = await copiesOf(tb, id);
    const expected = x.state === "COMPLETED" ? cloud : from;
    const misplaced = copies.length === 1 && copies[0] === expected ? undefined : `the workload runs on [${copies.join(", ")}], expected on ${expected} alone`;
    const error = [x.error, misplaced].filter(Boolean).join("; ");
    return {
      strategy,
      ran: x.strategy ?? null,
      sizeMiB: size,
      via: "scheduler",
      task: id,
      from,
      to: cloud,
      state: x.state ?? x.status,
      states: statesOf(x),
      migration: x.id,
      ...fromMetrics(x.metrics),
      ...(error ? { error } : {}),
    };
  } finally {
    await tb.loop.scheduler.releaseTask(id, { timeoutMs: 60_000 }).catch(() => undefined);
  }
}

/** Docker's checkpoint/restore: a container holding SIZE MiB made on the first edge agent, moved by it to the cloud agent. */
async function dockerMove(c: StrategiesContext, size: number, image: string): Promise<StrategyMove> {
  const { tb } = c;
  const edge = tb.plan.hosts.find((h) => h.tier === "edge")!;
  const cloud = tb.plan.hosts.find((h) => h.tier === "cloud")!;
  const srcUrl = tb.loop.agents.get(edge.node)!;
  const dstUrl = tb.loop.agents.get(cloud.node)!;
  const src = tb.loop.agentClient(srcUrl);
  const dst = tb.loop.agentClient(dstUrl);
  const id = `${c.prefix}-dk-${size}`;
  const result = (view: MigrationView | undefined, error?: string): StrategyMove => {
    const x = view?.metrics;
    return {
      strategy: "docker",
      ran: x ? `docker-${x.strategy}` : null,
      sizeMiB: size,
      via: "agents",
      task: id,
      from: edge.node,
      to: cloud.node,
      state: view?.status ?? "NOT_STARTED",
      states: view ? [view.phase] : [],
      migration: view?.id ?? null,
      ...fromMetrics(x ? { totalMs: x.totalMs, frozenMs: x.downtimeMs, transferMs: x.breakdown?.transferMs ?? null, bytesBeforeResume: x.bytesBeforeResume, bytesAfterResume: x.bytesAfterResume } : null),
      ...(error || view?.error ? { error: [error, view?.error].filter(Boolean).join("; ") } : {}),
    };
  };
  let view: MigrationView | undefined;
  try {
    const created = await src.createWorkload({ id, image, ...ballastWorkloadSpec(size), cpuLimit: 0.5, labels: { "fleximigrate.task": id } });
    await waitFor(async () => ballastReady(created.containerId!), { timeoutMs: 120_000, intervalMs: 500, what: `container ${id} to hold ${size} MiB` });
    view = await src.startMigration({ workload: id, destination: dstUrl, strategy: "stopcopy" });
    const started = view.id;
    view = await waitFor(
      async () => {
        const v = await src.migration(started);
        return v.status !== "running" ? v : undefined;
      },
      { timeoutMs: MOVE_TIMEOUT_MS, intervalMs: 200, what: `Docker migration ${started} to end` },
    );
    const copies = await copiesOf(tb, id);
    const expected = view.status === "succeeded" ? cloud.node : edge.node;
    const misplaced = copies.length === 1 && copies[0] === expected ? undefined : `the container runs on [${copies.join(", ")}], expected on ${expected} alone`;
    return result(view, misplaced);
  } catch (err) {
    return result(view, (err as Error).message.split("\n")[0]);
  } finally {
    for (const [agent, wid] of [
      [src, id],
      [dst, view?.destinationWorkloadId ?? id],
    ] as const)
      await agent.deleteWorkload(wid).catch(() => undefined);
  }
}
