// The pure half of `bench loop`: the downtime a device saw, from the times
// of its answers around a move; one row per move; the table and the goals.
import type { MoveMetrics, MoveStrategy } from "../src/api-types/scheduler.js";
import { formatTable } from "../src/cli/output.js";

export interface DeviceDowntime {
  /** Median time between answers before the move: the device's normal rhythm. */
  normalIntervalMs: number | null;
  /** Longest time between two consecutive answers, among gaps that overlap the move. */
  longestGapMs: number | null;
  /** longestGapMs minus normalIntervalMs (never below 0): what the move cost the device. */
  downtimeMs: number | null;
}

/**
 * `answersAt`: when each answer arrived (ms, ascending); the move ran from
 * `moveStart` to `moveEnd`. A gap overlaps the move when it ends after the
 * start and begins before the end. Null figures when the answers do not
 * frame the move (none before it, or none after it).
 */
export function deviceDowntime(answersAt: number[], moveStart: number, moveEnd: number): DeviceDowntime {
  const gaps: Array<{ from: number; to: number; ms: number }> = [];
  for (let i = 1; i < answersAt.length; i++) gaps.push({ from: answersAt[i - 1]!, to: answersAt[i]!, ms: answersAt[i]! - answersAt[i - 1]! });
  const before = gaps.filter((g) => g.to <= moveStart).map((g) => g.ms);
  const m = median(before);
  const normal = m === null ? null : round1(m);
  const framed = answersAt.some((t) => t <= moveStart) && answersAt.some((t) => t >= moveEnd);
  const during = gaps.filter((g) => g.to > moveStart && g.from < moveEnd).map((g) => g.ms);
  if (!framed || during.length === 0) return { normalIntervalMs: normal, longestGapMs: null, downtimeMs: null };
  const longest = round1(Math.max(...during));
  return { normalIntervalMs: normal, longestGapMs: longest, downtimeMs: normal === null ? null : round1(Math.max(0, longest - normal)) };
}

export function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface LoopRow extends DeviceDowntime {
  strategy: Extract<MoveStrategy, "postcopy" | "stopcopy">;
  sizeMiB: number;
  /** The move's final state (COMPLETED, FAILED), or null when it never got one. */
  state: string | null;
  frozenMs: number | null;
  networkReconfigurationMs: number | null;
  /** The scheduler's decision (the move's request) until COMPLETED. */
  totalMs: number | null;
  decisionToAgentStartMs: number | null;
  resumeToRedirectMs: number | null;
  dumpMs: number | null;
  transferMs: number | null;
  restoreMs: number | null;
  bytesBeforeResume: number | null;
  /** downtimeMs / frozenMs: how much of the device's wait the agent's freeze explains (goal for post-copy: <= 1.5). */
  downtimeOverFrozen: number | null;
  /** The device's TCP connections (1: the keep-alive connection held) and its failed requests, by kind (ECONNRESET, TIMEOUT...). */
  connections: number;
  deviceErrors: string[];
  /** The workload's request counter grew at every answer: its state moved with it. */
  counterContinued: boolean;
  /** Why figures are missing, or what went wrong. */
  note?: string;
}

/** A row from a finished move's metrics and what the device saw. */
export function rowOf(
  base: Pick<LoopRow, "strategy" | "sizeMiB" | "state" | "connections" | "deviceErrors" | "counterContinued" | "note">,
  metrics: Partial<MoveMetrics> | undefined,
  device: DeviceDowntime,
): LoopRow {
  const m = (k: keyof MoveMetrics) => (typeof metrics?.[k] === "number" ? (metrics[k] as number) : null);
  const frozenMs = m("frozenMs");
  return {
    ...base,
    ...device,
    frozenMs,
    networkReconfigurationMs: m("networkReconfigurationMs"),
    totalMs: m("totalMs"),
    decisionToAgentStartMs: m("decisionToAgentStartMs"),
    resumeToRedirectMs: m("resumeToRedirectMs"),
    dumpMs: m("dumpMs"),
    transferMs: m("transferMs"),
    restoreMs: m("restoreMs"),
    bytesBeforeResume: m("bytesBeforeResume"),
    downtimeOverFrozen: device.downtimeMs !== null && frozenMs ? round2(device.downtimeMs / frozenMs) : null,
  };
}

export function emptyRow(strategy: LoopRow["strategy"], sizeMiB: number, note: string): LoopRow {
  return rowOf({ strategy, sizeMiB, state: null, connections: 0, deviceErrors: [], counterContinued: false, note }, undefined, {
    normalIntervalMs: null,
    longestGapMs: null,
    downtimeMs: null,
  });
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const round2 = (x: number) => Math.round(x * 100) / 100;

export function loopTable(rows: LoopRow[]): string {
  return formatTable(
    ["MiB", "strategy", "state", "device ms", "gap ms", "normal ms", "frozen ms", "x frozen", "net ms", "total ms", "decision>start", "resume>redirect", "dump", "transfer", "restore", "conn", "errors", "note"],
    rows.map((r) => [
      r.sizeMiB,
      r.strategy,
      r.state,
      r.downtimeMs,
      r.longestGapMs,
      r.normalIntervalMs,
      r.frozenMs,
      r.downtimeOverFrozen,
      r.networkReconfigurationMs,
      r.totalMs,
      r.decisionToAgentStartMs,
      r.resumeToRedirectMs,
      r.dumpMs,
      r.transferMs,
      r.restoreMs,
      r.connections,
      r.deviceErrors.length ? `${r.deviceErrors.length} (${[...new Set(r.deviceErrors)].join(",")})` : 0,
      [r.note, r.state === null || r.counterContinued ? "" : "counter reset"].filter(Boolean).join("; "),
    ]),
  );
}

/** Issue 8's goals: post-copy's device-seen downtime <= 1.5x the agent's frozen time; redirect done <= 10 ms after resume. */
export function loopGoals(rows: LoopRow[]): string {
  const lines: string[] = [];
  const check = (ok: boolean | null, text: string) => lines.push(`${ok === null ? "n/a   " : ok ? "met   " : "MISSED"}  ${text}`);
  for (const r of rows) {
    const at = `${r.strategy} ${r.sizeMiB} MiB`;
    if (r.strategy === "postcopy") {
      check(
        r.downtimeOverFrozen === null ? null : r.downtimeOverFrozen <= 1.5,
        `${at}: device-seen downtime <= 1.5x frozen (${r.downtimeMs ?? "-"} / ${r.frozenMs ?? "-"} ms = ${r.downtimeOverFrozen ?? "-"}x)`,
      );
    }
    check(r.resumeToRedirectMs === null ? null : r.resumeToRedirectMs <= 10, `${at}: redirect done <= 10 ms after resume (${r.resumeToRedirectMs ?? "-"} ms)`);
  }
  return lines.length ? `\nGoals (issue 8):\n${lines.join("\n")}\n` : "";
}
