// Migration-aware admission (rule 3): a move freezes the moved request for a
// while. Requests its device sends during that window wait; those that wait
// longer than the budget's slack (budget - network delay - predicted latency at
// its share) arrive late. The downtime per workload comes from the agents'
// measured history (the service) or the cluster file (`plan`).
import { type LatencyModel, predictLatencyMs } from "../../src/latency/model.js";
import { toCores } from "./share.js";
import type { TaskRequest } from "../../src/api-types/scheduler.js";

/** What a move of one workload's request costs: how long it is frozen, and how much memory moves. */
export interface DowntimeEstimate {
  frozenMs: number;
  workingSetMiB?: number;
}

/** Expected downtime of moving a request (undefined: no estimate, the move costs nothing known). */
export interface DowntimeModel {
  estimate(request: TaskRequest): DowntimeEstimate | undefined;
}

/** A table by workload name; "*" answers workloads it does not name. */
export function downtimeTable(byWorkload: Readonly<Record<string, DowntimeEstimate>>): DowntimeModel {
  return {
    estimate: (request) => (Object.hasOwn(byWorkload, request.workload) ? byWorkload[request.workload] : byWorkload["*"]),
  };
}

/**
 * Requests a move would make late: with `requestsPerSec` arriving evenly, those arriving in the
 * first (frozen - slack) ms of the frozen window wait past the budget. 0 without a rate.
 */
export function lateRequests(request: TaskRequest, model: LatencyModel, shareMilli: number, netDelayMs: number, frozenMs: number): number {
  const rate = request.requestsPerSec ?? 0;
  if (!(rate > 0) || !(frozenMs > 0)) return 0;
  const slack = Math.max(0, request.delayBudgetMs - netDelayMs - predictLatencyMs(model, toCores(shareMilli)));
  return frozenMs > slack ? (rate * (frozenMs - slack)) / 1000 : 0;
}
