// Devices view model: each device's measured latency over time against its
// task's budget, with the task's migrations marked. A point per batch the
// device reported (the scheduler's task.latency event: the batch's p50, p95
// and max); a mark per move start and end (migration events). Bounded: the
// most recent MAX_POINTS points and MAX_MARKS marks per device. Pure.
import type { MoveRecord } from "../../../src/api-types/scheduler.js";
import type { SchedulerUiEvent } from "./events.js";

export const MAX_POINTS = 600;
export const MAX_MARKS = 50;

export interface LatencyPoint {
  /** ms since the epoch: the batch's last send time. */
  at: number;
  p50: number;
  p95: number;
  max: number;
  late: number;
  count: number;
}

export interface MigrationMark {
  at: number;
  migration: string;
  state: string;
  from: string;
  to: string;
}

export interface DeviceSeries {
  device: string;
  task: string;
  budgetMs: number | null;
  predictedMs: number | null;
  node: string | null;
  points: LatencyPoint[];
  marks: MigrationMark[];
}

export type DevicesState = ReadonlyMap<string, DeviceSeries>;

export const emptyDevices = (): DevicesState => new Map();

/** A device's series starts when its task is known (placements at load, placed events). */
export function withTask(state: DevicesState, t: { device: string; task: string; budgetMs: number; predictedMs: number; node: string }): DevicesState {
  const before = state.get(t.device);
  const s: DeviceSeries = before && before.task === t.task ? { ...before, budgetMs: t.budgetMs, predictedMs: t.predictedMs, node: t.node } : { device: t.device, task: t.task, budgetMs: t.budgetMs, predictedMs: t.predictedMs, node: t.node, points: [], marks: [] };
  return new Map(state).set(t.device, s);
}

/** The start and end of the task's earlier moves (GET /v1/migrations at load). */
export function withMoves(state: DevicesState, moves: MoveRecord[]): DevicesState {
  let next = state;
  for (const m of moves) {
    const s = [...next.values()].find((d) => d.task === m.task.id);
    if (!s) continue;
    const marks = [...s.marks];
    for (const t of m.timeline ?? []) {
      if (t.state === "PENDING" || t.state === "COMPLETED" || t.state === "FAILED") marks.push({ at: Date.parse(t.at), migration: m.id, state: t.state, from: m.from, to: m.to });
    }
    next = new Map(next).set(s.device, { ...s, marks: dedupe(marks).slice(-MAX_MARKS) });
  }
  return next;
}

export function applyDeviceEvent(state: DevicesState, e: SchedulerUiEvent): DevicesState {
  switch (e.type) {
    case "placed":
      return withTask(state, { device: e.task.device, task: e.task.id, budgetMs: e.task.delayBudgetMs, predictedMs: e.predictedDelayMs, node: e.node });
    case "task.latency": {
      const device = e.device || [...state.values()].find((d) => d.task === e.task)?.device;
      if (!device) return state;
      const before = state.get(device);
      const base: DeviceSeries = before && before.task === e.task ? before : { device, task: e.task, budgetMs: null, predictedMs: null, node: null, points: [], marks: [] };
      const point: LatencyPoint = { at: e.batch.toMs, p50: e.batch.p50, p95: e.batch.p95, max: e.batch.max, late: e.batch.late, count: e.batch.count };
      const points = [...base.points, point].sort((a, b) => a.at - b.at).slice(-MAX_POINTS);
      return new Map(state).set(device, { ...base, points, budgetMs: e.latency.delayBudgetMs, predictedMs: e.latency.predicted.e2eMs, node: e.latency.node });
    }
    case "migration.transition": {
      if (e.state !== "PENDING" && e.state !== "COMPLETED" && e.state !== "FAILED") return state;
      const s = [...state.values()].find((d) => d.task === e.task);
      if (!s) return state;
      const marks = dedupe([...s.marks, { at: Date.parse(e.at), migration: e.migration, state: e.state, from: e.from, to: e.to }]).slice(-MAX_MARKS);
      return new Map(state).set(s.device, { ...s, marks, node: e.state === "COMPLETED" ? e.to : s.node });
    }
    default:
      return state;
  }
}

export function deviceList(state: DevicesState): DeviceSeries[] {
  return [...state.values()].sort((a, b) => a.device.localeCompare(b.device, undefined, { numeric: true }));
}

/** The chart's ranges: time over points and marks, latency from 0 to above the budget and the highest max. */
export function chartDomain(s: DeviceSeries): { t0: number; t1: number; yMax: number } {
  const times = [...s.points.map((p) => p.at), ...s.marks.map((m) => m.at)];
  const t0 = times.length ? Math.min(...times) : 0;
  const t1 = times.length ? Math.max(...times) : 1;
  const yMax = Math.max(1, s.budgetMs ?? 0, ...s.points.map((p) => p.max)) * 1.1;
  return { t0, t1: t1 > t0 ? t1 : t0 + 1, yMax };
}

function dedupe(marks: MigrationMark[]): MigrationMark[] {
  const seen = new Set<string>();
  return marks.filter((m) => {
    const k = `${m.migration}/${m.state}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  }).sort((a, b) => a.at - b.at);
}
