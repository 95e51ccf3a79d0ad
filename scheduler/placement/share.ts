// CPU shares in integer millicores (as Kubernetes does): sums and releases
// stay exact, so node usage never drifts and equal loads compare equal.
import { MAX_SHARE, type LatencyModel, requiredShare } from "../../src/latency/model.js";

export const MILLI = 1000;

/** Millicores a request needs on a node at this network delay, or INFEASIBLE. */
export type NeedAt = (netDelayMs: number) => number;

/** Infeasible: the budget cannot be met at this network delay with one full core. */
export const INFEASIBLE = -1;

/**
 * Millicores the model needs to finish within `budgetMs - netDelayMs`, rounded UP
 * (a share a little larger only lowers the delay), or INFEASIBLE.
 */
export function needMilli(model: LatencyModel, budgetMs: number, netDelayMs: number): number {
  const r = requiredShare(model, budgetMs - netDelayMs);
  return r.ok ? Math.ceil(r.cpuShare * MILLI - 1e-9) : INFEASIBLE;
}

/**
 * Memoizes a per-delay need: nodes share few distinct delays, and a decision asks
 * once per node group, so most calls are repeats (each costs a log or a pow).
 */
export function perDelay(compute: NeedAt): NeedAt {
  const delays: number[] = [];
  const needs: number[] = [];
  return (d) => {
    for (let i = 0; i < delays.length; i++) if (delays[i] === d) return needs[i]!;
    const m = compute(d);
    delays.push(d);
    needs.push(m);
    return m;
  };
}

/** Best effort for budget-blind baselines: the needed share when feasible, else one full core. */
export function bestEffortMilli(model: LatencyModel, budgetMs: number, netDelayMs: number): number {
  const m = needMilli(model, budgetMs, netDelayMs);
  return m === INFEASIBLE ? MAX_SHARE * MILLI : m;
}

export function toCores(milli: number): number {
  return milli / MILLI;
}

export function capacityMilli(cpus: number): number {
  return Math.round(cpus * MILLI);
}

/** Why a budget cannot be met at this network delay (for refusal reasons). */
export function infeasibleReason(model: LatencyModel, budgetMs: number, netDelayMs: number): string {
  const r = requiredShare(model, budgetMs - netDelayMs);
  return r.ok ? "" : r.reason;
}
