// Fits latency models per workload class with ml-regression: an exponential
// a*exp(b*share) and a power a*share^b, each fitted by least squares on log
// latency. The better one by held-out R² wins; the other is kept as an alternative.
//
// Held-out R² is leave-one-out cross-validation: each sample is predicted by a
// fit made without it, and R² = 1 - SS(residuals of those predictions) / SS(about
// the mean). In-sample R² would always favour the more flexible curve on noise.
import { ExponentialRegression, PowerRegression } from "ml-regression";
import { type LatencyModel, type ModelKind, modelKey, predictLatencyMs } from "../../src/latency/model.js";
import { type Sample, SampleError } from "./samples.js";

export interface FittedModel extends LatencyModel {
  /** Leave-one-out cross-validated R² on the class's samples. */
  r2: number;
  /** Number of samples of the class. */
  n: number;
  /** The model kinds that lost, with their own held-out R². */
  alternatives: Array<LatencyModel & { r2: number }>;
}

/** Fewest samples per class; with fewer, a two-parameter fit cannot be held out. */
export const MIN_SAMPLES = 3;
/** Fewest distinct shares per class, so that every leave-one-out fit still sees two. */
export const MIN_DISTINCT_SHARES = 3;

const KINDS: ModelKind[] = ["exponential", "power"];

/**
 * Fits every `workload/inputClass` in `samples`, keyed by modelKey, in order of first appearance.
 * Throws SampleError (naming `file` and the class's first sample line) for a class with fewer than
 * MIN_SAMPLES samples or fewer than MIN_DISTINCT_SHARES distinct CPU shares.
 */
export function fitModels(samples: Sample[], file = "samples"): Record<string, FittedModel> {
  const groups = new Map<string, Sample[]>();
  for (const s of samples) {
    const key = modelKey(s.workload, s.inputClass);
    const group = groups.get(key);
    if (group) group.push(s);
    else groups.set(key, [s]);
  }
  if (groups.size === 0) throw new SampleError(file, 1, 1, "no samples");
  const out: Record<string, FittedModel> = {};
  for (const [key, group] of groups) {
    const first = group[0]!.line;
    if (group.length < MIN_SAMPLES) {
      throw new SampleError(file, first, 1, `${key} has ${group.length} sample(s); fitting needs at least ${MIN_SAMPLES}`);
    }
    const distinct = new Set(group.map((s) => s.cpuShare)).size;
    if (distinct < MIN_DISTINCT_SHARES) {
      throw new SampleError(
        file,
        first,
        1,
        `${key} has ${distinct} distinct cpuShare value(s); fitting needs at least ${MIN_DISTINCT_SHARES}`,
      );
    }
    out[key] = fitClass(
      group.map((s) => s.cpuShare),
      group.map((s) => s.latencyMs),
    );
  }
  return out;
}

/** Fits both kinds to one class and keeps the better by leave-one-out R² (ties go to the exponential). */
export function fitClass(shares: number[], latencies: number[]): FittedModel {
  const candidates = KINDS.map((kind) => ({ ...fitKind(kind, shares, latencies), r2: looR2(kind, shares, latencies) }));
  const ranked = [...candidates].sort((x, y) => y.r2 - x.r2);
  const [best, ...rest] = ranked;
  return { ...best!, n: shares.length, alternatives: rest };
}

/** Least-squares fit of one kind; ml-regression names the parameters differently per kind. */
export function fitKind(kind: ModelKind, shares: number[], latencies: number[]): LatencyModel {
  if (kind === "exponential") {
    const r = new ExponentialRegression(shares, latencies);
    return { kind, a: r.B, b: r.A };
  }
  const r = new PowerRegression(shares, latencies);
  return { kind, a: r.A, b: r.B };
}

/** Leave-one-out cross-validated R² of a kind on (shares, latencies). */
export function looR2(kind: ModelKind, shares: number[], latencies: number[]): number {
  const n = shares.length;
  const mean = latencies.reduce((s, y) => s + y, 0) / n;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    const without = (xs: number[]) => xs.filter((_, j) => j !== i);
    const model = fitKind(kind, without(shares), without(latencies));
    const err = latencies[i]! - predictLatencyMs(model, shares[i]!);
    ssRes += err * err;
    ssTot += (latencies[i]! - mean) ** 2;
  }
  if (!Number.isFinite(ssRes)) return Number.NEGATIVE_INFINITY;
  // Constant latencies: nothing to explain; a perfect prediction still counts as a perfect fit.
  if (ssTot === 0) return ssRes === 0 ? 1 : 0;
  return 1 - ssRes / ssTot;
}
