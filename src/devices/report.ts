// How `fleximigrate devices` shows its results: one JSON object per device and
// one overall (JSON lines), or a table for people; and the progress line.
import { type Cell, formatTable } from "../cli/output.js";
import type { DeviceResult } from "./device.js";
import { ERROR_KINDS, overallStats, type RequestStats, requestStats } from "./stats.js";

const round1 = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);

function statsJson(s: RequestStats) {
  return {
    requests: s.requests,
    answered: s.answered,
    errors: s.errors,
    latencyMs: { p50: round1(s.latencyMs.p50), p95: round1(s.latencyMs.p95), p99: round1(s.latencyMs.p99), max: round1(s.latencyMs.max) },
    deadlineMisses: s.deadlineMisses,
    missRate: Math.round(s.missRate * 10_000) / 10_000,
    longestGapMs: round1(s.longestGapMs),
  };
}

const outcomesOf = (r: DeviceResult) => (r.status === "ran" ? r.outcomes : []);

export function deviceJson(r: DeviceResult): Record<string, unknown> {
  const stats = statsJson(requestStats(outcomesOf(r), r.budgetMs));
  const head = { device: r.device, status: r.status, budgetMs: r.budgetMs };
  switch (r.status) {
    case "ran":
      return { ...head, task: r.task, node: r.node, serviceIp: r.serviceIp, port: r.port, ...stats, connections: r.connections, released: r.released };
    case "refused":
      return { ...head, reason: r.reason, message: r.message, ...stats };
    case "no-service-ip":
      return { ...head, task: r.task, node: r.node, released: r.released, ...stats };
    case "failed":
      return { ...head, error: r.error, ...stats };
  }
}

export function overallJson(results: DeviceResult[]): Record<string, unknown> {
  const stats = overallStats(results.map((r) => ({ outcomes: outcomesOf(r), budgetMs: r.budgetMs })));
  const by = (status: DeviceResult["status"]) => results.filter((r) => r.status === status).length;
  return { overall: true, devices: results.length, ran: by("ran"), refused: by("refused"), noServiceIp: by("no-service-ip"), failed: by("failed"), ...statsJson(stats) };
}

const HEADER = ["device", "task", "node", "status", "requests", "answered", ...ERROR_KINDS, "p50", "p95", "p99", "budget", "missed%", "gap"];

function row(name: string, task: Cell, node: Cell, status: string, s: RequestStats, budget: Cell): Cell[] {
  const ms = (n: number | null) => (n === null ? null : Math.round(n));
  return [name, task, node, status, s.requests, s.answered, ...ERROR_KINDS.map((k) => s.errors[k]), ms(s.latencyMs.p50), ms(s.latencyMs.p95), ms(s.latencyMs.p99), budget, (s.missRate * 100).toFixed(1), ms(s.longestGapMs)];
}

/** One row per device and an `all` row; latencies, budget and gap in ms. */
export function resultsTable(results: DeviceResult[]): string {
  const rows = results.map((r) => row(r.device, "task" in r ? r.task : null, "node" in r ? r.node : null, r.status, requestStats(outcomesOf(r), r.budgetMs), r.budgetMs));
  const all = overallStats(results.map((r) => ({ outcomes: outcomesOf(r), budgetMs: r.budgetMs })));
  rows.push(row("all", null, null, `${results.filter((r) => r.status === "ran").length}/${results.length} ran`, all, null));
  // Why a device did not run, under the table: a refusal's reason, a failure's error.
  const notes = results.flatMap((r) => (r.status === "refused" ? [`${r.device}: refused: ${r.reason}`] : r.status === "failed" ? [`${r.device}: failed: ${r.error}`] : []));
  return [formatTable(HEADER, rows), ...notes].join("\n");
}

/** Live counts across the fleet, for the progress line. */
export class Tally {
  sent = 0;
  answered = 0;
  errors = 0;
  late = 0;

  count(ok: boolean, late: boolean): void {
    this.sent++;
    if (ok) this.answered++;
    else this.errors++;
    if (late) this.late++;
  }

  json(elapsedMs: number): Record<string, unknown> {
    return { progress: { elapsedSec: Math.round(elapsedMs / 100) / 10, sent: this.sent, answered: this.answered, errors: this.errors, late: this.late } };
  }

  line(elapsedMs: number): string {
    return `devices: ${(elapsedMs / 1000).toFixed(0)} s, ${this.sent} sent, ${this.answered} answered, ${this.errors} failed, ${this.late} late`;
  }
}
