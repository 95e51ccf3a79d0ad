// What every scenario does with moves: follow one to its final state, turn
// the scheduler's record into the run's, and find where a task's workload runs.
import type { MoveInput, MoveRecord } from "../../api-types/scheduler.js";
import { waitFor } from "../../wait.js";
import type { RunningTestbed } from "../testbed.js";
import type { MigrationRecord } from "./measurements.js";

export const FINAL = new Set(["COMPLETED", "FAILED"]);

export const statesOf = (m: MoveRecord) => (m.timeline ?? []).map((t) => t.state).filter((s, i, all) => i === 0 || all[i - 1] !== s);

export function migrationRecord(x: MoveRecord, runStart: number, policy: string, extra: Partial<MigrationRecord> = {}): MigrationRecord {
  return {
    id: x.id,
    task: x.task.id,
    from: x.from,
    to: x.to,
    strategy: x.strategy ?? null,
    ...(x.requestedStrategy ? { requestedStrategy: x.requestedStrategy } : {}),
    state: x.state ?? x.status,
    states: statesOf(x),
    timeline: x.timeline ?? [],
    metrics: x.metrics ?? null,
    t: Date.parse(x.requestedAt) - runStart,
    ...(x.timeline?.some((e) => e.state === "COMPLETED") ? { completedT: Date.parse(x.timeline.find((e) => e.state === "COMPLETED")!.at) - runStart } : {}),
    policy,
    ...(x.error ? { error: x.error } : {}),
    ...extra,
  };
}

/** Asks the scheduler for a move and follows it to COMPLETED or FAILED. */
export async function followMove(tb: RunningTestbed, input: MoveInput, timeoutMs = 180_000): Promise<MoveRecord> {
  const scheduler = tb.loop.scheduler;
  const requested = await scheduler.requestMove(input);
  return waitFor(
    async () => {
      const x = await scheduler.migration(requested.id);
      return FINAL.has(x.state ?? "") ? x : undefined;
    },
    { timeoutMs, intervalMs: 100, what: `move ${requested.id} to a final state` },
  );
}

/** Where a task's workload runs: every running copy, on every agent (asked with the admin's certificate). */
export async function copiesOf(tb: RunningTestbed, task: string): Promise<string[]> {
  const out: string[] = [];
  for (const [node, url] of tb.loop.agents) {
    for (const w of (await tb.loop.agentClient(url).workloads()).workloads) if (w.spec.labels["fleximigrate.task"] === task && w.state === "running") out.push(node);
  }
  return out;
}
