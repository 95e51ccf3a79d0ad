// Latency models: predicted delay of a workload class as a function of the
// CPU share (cores) it gets. Pure: evaluation and inversion only; fitting
// lives in fit.ts.

export type ModelKind = "exponential" | "power";

/** latencyMs = a * exp(b * share) (exponential) or a * share^b (power); b < 0 for a useful model. */
export interface LatencyModel {
  kind: ModelKind;
  a: number;
  b: number;
}

/** Largest share a single request may get: one full core. */
export const MAX_SHARE = 1;

/** Key of a model in a model table: `workload/inputClass`. */
export function modelKey(workload: string, inputClass: string): string {
  return `${workload}/${inputClass}`;
}

export function predictLatencyMs(model: LatencyModel, cpuShare: number): number {
  return model.kind === "exponential" ? model.a * Math.exp(model.b * cpuShare) : model.a * cpuShare ** model.b;
}

export type ShareResult = { ok: true; cpuShare: number } | { ok: false; reason: string };

/**
 * CPU share needed so that the predicted latency is at most `delayMs`.
 * Infeasible when even one full core (MAX_SHARE) is too slow, or the delay is not positive.
 */
export function requiredShare(model: LatencyModel, delayMs: number): ShareResult {
  if (!(delayMs > 0)) return { ok: false, reason: `no time left for processing (delay ${round(delayMs)} ms)` };
  const best = predictLatencyMs(model, MAX_SHARE);
  if (delayMs < best) {
    return { ok: false, reason: `needs ${round(delayMs)} ms but one full core gives ${round(best)} ms` };
  }
  const share =
    model.kind === "exponential" ? Math.log(delayMs / model.a) / model.b : (delayMs / model.a) ** (1 / model.b);
  // A delay looser than the model's value at tiny shares still needs some CPU.
  return { ok: true, cpuShare: Math.min(MAX_SHARE, Math.max(share, MIN_SHARE)) };
}

/** Smallest share ever granted, so that a loose budget never yields a zero or negative share. */
export const MIN_SHARE = 0.01;

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
