// The downtime model the service's rule 3 uses (migration-aware admission),
// from what the agents measured: every completed move records how long its
// workload was frozen and how many bytes it carried. Per workload, the median
// of its measured moves; workloads never moved have no estimate (their moves
// cost nothing known). The table is rebuilt at most once per `refreshMs`.
import type { MoveRecord } from "../../src/api-types/scheduler.js";
import type { DowntimeEstimate, DowntimeModel } from "../placement/downtime.js";

const MIB = 1024 * 1024;

/** Per workload: the median frozen time and moved memory of its completed, measured moves. */
export function downtimeByWorkload(records: readonly MoveRecord[]): Record<string, DowntimeEstimate> {
  const frozen = new Map<string, number[]>();
  const moved = new Map<string, number[]>();
  for (const r of records) {
    const m = r.metrics;
    if (r.status !== "done" || !m || m.frozenMs === null) continue;
    push(frozen, r.task.workload, m.frozenMs);
    if (m.bytesBeforeResume !== null || m.bytesAfterResume !== null) push(moved, r.task.workload, ((m.bytesBeforeResume ?? 0) + (m.bytesAfterResume ?? 0)) / MIB);
  }
  const out: Record<string, DowntimeEstimate> = {};
  for (const [workload, ms] of frozen) {
    const mib = moved.get(workload);
    out[workload] = { frozenMs: median(ms), ...(mib ? { workingSetMiB: median(mib) } : {}) };
  }
  return out;
}

/** A model over the executor's records, rebuilt when older than `refreshMs` on `now`. */
export function measuredDowntime(records: () => readonly MoveRecord[], now: () => number, refreshMs = 1000): DowntimeModel {
  let table: Record<string, DowntimeEstimate> = {};
  let builtAt = Number.NEGATIVE_INFINITY;
  return {
    estimate(request) {
      const t = now();
      if (t - builtAt >= refreshMs) {
        table = downtimeByWorkload(records());
        builtAt = t;
      }
      return Object.hasOwn(table, request.workload) ? table[request.workload] : undefined;
    },
  };
}

function push(m: Map<string, number[]>, k: string, v: number): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
