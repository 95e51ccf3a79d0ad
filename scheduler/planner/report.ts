// Text and JSON renderings of planner results.
import { formatTable } from "../../src/cli/output.js";
import type { Decision } from "../placement/types.js";
import type { PlanSummary } from "./run-plan.js";

const r1 = (x: number) => Math.round(x * 10) / 10;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** The `--json` decision shape: shares in cores (3 decimals), delays in ms (1 decimal). */
export function decisionJson(d: Decision): Record<string, unknown> {
  const out: Record<string, unknown> = { request: d.request, node: d.node };
  if (d.case !== undefined) out.case = d.case;
  if (d.cpuShare !== undefined) out.cpuShare = r3(d.cpuShare);
  if (d.predictedDelayMs !== undefined) out.predictedDelayMs = r1(d.predictedDelayMs);
  out.migrations = d.migrations.map((m) => ({ ...m, cpuShare: r3(m.cpuShare) }));
  if (d.reason !== undefined) out.reason = d.reason;
  return out;
}

export function decisionsTable(decisions: Decision[]): string {
  return formatTable(
    ["REQUEST", "NODE", "CASE", "CPU", "DELAY_MS", "MOVES / REASON"],
    decisions.map((d) => [
      d.request,
      d.node,
      d.case,
      d.cpuShare === undefined ? undefined : r3(d.cpuShare).toFixed(3),
      d.predictedDelayMs === undefined ? undefined : r1(d.predictedDelayMs).toFixed(1),
      d.node === null
        ? d.reason
        : d.migrations.map((m) => `${m.request} ${m.from}->${m.to} (${r3(m.cpuShare).toFixed(3)})`).join(", "),
    ]),
  );
}

export function summaryLine(s: PlanSummary): string {
  return (
    `${s.policy}: ${s.placed} placed, ${s.refused} refused, ${s.migrations} migrations, deadline misses ${pct(s.missRate)}, ` +
    `mean edge CPU usage ${pct(s.meanEdgeUsage)}, ${s.movesPerAdmission.toFixed(2)} moves per request placed after moves, ` +
    `${r3(s.movedCpu).toFixed(3)} cores moved, ${r1(s.movedMiB).toFixed(1)} MiB moved, ${r1(s.lateByMoves).toFixed(1)} requests late by moves\n`
  );
}

export function compareTable(rows: PlanSummary[]): string {
  return formatTable(
    ["POLICY", "DEADLINE_MISS", "LATE_BY_MOVES", "EDGE_CPU", "MIGRATIONS", "MOVES/ADMIT", "MOVED_CPU", "MOVED_MIB", "REFUSED", "PLACED", "DECISIONS/S"],
    rows.map((s) => [
      s.policy,
      pct(s.missRate),
      r1(s.lateByMoves).toFixed(1),
      pct(s.meanEdgeUsage),
      s.migrations,
      s.movesPerAdmission.toFixed(2),
      r3(s.movedCpu).toFixed(3),
      r1(s.movedMiB).toFixed(1),
      s.refused,
      s.placed,
      Math.round(s.decisionsPerSec),
    ]),
  );
}

export function summaryJson(s: PlanSummary): Record<string, unknown> {
  const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    ...s,
    missRate: r4(s.missRate),
    meanEdgeUsage: r4(s.meanEdgeUsage),
    movesPerAdmission: r4(s.movesPerAdmission),
    movedCpu: r3(s.movedCpu),
    lateByMoves: r3(s.lateByMoves),
    movedMiB: r3(s.movedMiB),
    decisionsPerSec: Math.round(s.decisionsPerSec),
  };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}
