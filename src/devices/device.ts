// One IoT device: registers, submits its task, then sends GET /process to the
// task's service IP at its rate over one keep-alive connection until its stop
// time, keeping every request's outcome; at the end releases its task (unless
// told to keep it). What the outcomes mean is stats.ts's business.
import { setTimeout as sleep } from "node:timers/promises";
import type { LatencySample, Placed, TaskSubmission } from "../api-types/scheduler.js";
import type { SchedulerClient } from "../clients/scheduler.js";
import { KeepAliveConnection } from "./keep-alive.js";
import type { Outcome } from "./stats.js";

export interface DeviceSpec {
  id: string;
  site?: string;
  task: Omit<TaskSubmission, "device">;
  /** ms after the fleet's start when the device registers (0: at once). */
  startMs: number;
  /** ms after the fleet's start when it sends no more requests. */
  stopMs: number;
}

export interface DeviceOptions {
  scheduler: SchedulerClient;
  /** Requests per second. */
  rate: number;
  requestTimeoutMs: number;
  /** Leave the task placed at the end (no DELETE). */
  keep: boolean;
  /** ms since the fleet's start. */
  clock: () => number;
  /** Stops sending early (Ctrl-C); the task is still released. */
  signal?: AbortSignal;
  onOutcome?: (device: string, outcome: Outcome) => void;
  /** Where answered requests' latencies go for the scheduler (sample-reporter.ts); flushed before the task is released. */
  samples?: { add(task: string, sample: LatencySample): void; flush(task: string): Promise<void> };
}

interface Base {
  device: string;
  budgetMs: number;
}

export type DeviceResult =
  | (Base & {
      status: "ran";
      task: string;
      node: string;
      serviceIp: string;
      port: number;
      outcomes: Outcome[];
      connections: number;
      released: boolean;
    })
  | (Base & { status: "refused"; reason: string; message: string })
  /** Placed, but nothing runs it: the scheduler's node has no agent. */
  | (Base & { status: "no-service-ip"; task: string; node: string; released: boolean })
  | (Base & { status: "failed"; error: string });

const SUBMIT_TIMEOUT_MS = 90_000;

const until = (ms: number, signal?: AbortSignal) => (ms > 0 ? sleep(ms, undefined, { signal }).catch(() => undefined) : Promise.resolve());

export async function runDevice(spec: DeviceSpec, opts: DeviceOptions): Promise<DeviceResult> {
  const base: Base = { device: spec.id, budgetMs: spec.task.delayBudgetMs };
  await until(spec.startMs - opts.clock(), opts.signal);
  if (opts.signal?.aborted) return { ...base, status: "failed", error: "stopped before it started" };
  let placed: Placed;
  try {
    await opts.scheduler.registerDevice({ id: spec.id, ...(spec.site ? { site: spec.site } : {}) });
    // The scheduler answers once the task's workload serves: starting it under its CPU share takes seconds.
    const outcome = await opts.scheduler.submitTask({ ...spec.task, device: spec.id }, { timeoutMs: SUBMIT_TIMEOUT_MS });
    if (outcome.outcome === "refused") return { ...base, status: "refused", reason: outcome.refused.reason, message: outcome.refused.message };
    placed = outcome.placed;
  } catch (err) {
    return { ...base, status: "failed", error: (err as Error).message };
  }
  const task = placed.task.id;
  const release = async (): Promise<boolean> => {
    if (opts.keep) return false;
    try {
      return (await opts.scheduler.releaseTask(task)) !== null;
    } catch {
      return false;
    }
  };
  if (!placed.serviceIp || !placed.port) return { ...base, status: "no-service-ip", task, node: placed.node, released: await release() };

  const conn = new KeepAliveConnection(placed.serviceIp, placed.port, opts.requestTimeoutMs);
  const outcomes: Outcome[] = [];
  const path = `/process?size=${encodeURIComponent(spec.task.inputClass)}`;
  const interval = 1000 / opts.rate;
  try {
    let next = opts.clock();
    while (next < spec.stopMs && !opts.signal?.aborted) {
      await until(next - opts.clock(), opts.signal);
      if (opts.signal?.aborted) break;
      const at = opts.clock();
      const sentAt = Date.now();
      const answer = await conn.get(path);
      const outcome: Outcome = answer.ok ? { ok: true, at, latencyMs: opts.clock() - at } : { ok: false, at, kind: answer.kind, detail: answer.detail };
      outcomes.push(outcome);
      if (answer.ok && outcome.ok) {
        opts.samples?.add(task, { at: sentAt, e2eMs: outcome.latencyMs, ...(answer.processingMs === undefined ? {} : { processingMs: answer.processingMs }) });
      }
      opts.onOutcome?.(spec.id, outcome);
      // The next slot of the schedule, or now when behind it: no burst to catch up.
      next = Math.max(next + interval, opts.clock());
    }
  } finally {
    conn.close();
  }
  // Before the release: the scheduler forgets a released task's samples.
  await opts.samples?.flush(task);
  return { ...base, status: "ran", task, node: placed.node, serviceIp: placed.serviceIp, port: placed.port, outcomes, connections: conn.connections, released: await release() };
}
