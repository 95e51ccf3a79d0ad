// Drift of one model class (pure): measured latencies (CPU share, ms) are
// checked against the serving model's prediction band. When most of the last
// `window` samples leave the band, the model is refitted from those samples
// (those out of band) with the profiler's fitting code (fit.ts: both kinds, held-out R²); a refit
// whose R² is below the serving model's never replaces it. A noisy spell
// shorter than the window does not trigger. Memory is bounded: a reservoir
// (uniform since the model started serving) for the measured error, and the
// last `window` samples for a refit.
import { type LatencyModel, predictLatencyMs } from "../../src/latency/model.js";
import type { Rng } from "../../src/random.js";
import { fitClass, MIN_DISTINCT_SHARES, MIN_SAMPLES } from "./fit.js";

export type ModelSource = "profile" | "live";

export interface ServingModel {
  model: LatencyModel;
  /** Held-out R² of the fit that made it. */
  r2: number;
  source: ModelSource;
}

export interface DriftOptions {
  /** A sample is in band when |measured - predicted| <= band * predicted (default 0.3). */
  band?: number;
  /** How many recent samples the detection looks at (default 40). */
  window?: number;
  /** Fraction of them out of band that is drift (default 0.8). */
  outFraction?: number;
  /** Samples kept for the measured error (default 256). */
  reservoir?: number;
}

export type DriftEvent =
  | { type: "model-refitted"; key: string; from: ServingModel; to: ServingModel }
  | { type: "refit-rejected"; key: string; current: ServingModel; refitR2: number };

export interface DriftView extends ServingModel {
  key: string;
  /** Mean |measured - predicted| / predicted over the reservoir; undefined before any sample. */
  measuredError?: number;
  samples: number;
}

interface Point {
  share: number;
  ms: number;
}

export class DriftTracker {
  private serving: ServingModel;
  private readonly band: number;
  private readonly window: number;
  private readonly outFraction: number;
  private readonly capacity: number;
  private reservoir: Point[] = [];
  private seen = 0;
  /** The last `window` samples and whether each was out of band (ring buffers). */
  private recent: Point[] = [];
  private out: boolean[] = [];
  private next = 0;

  constructor(
    readonly key: string,
    initial: ServingModel,
    private readonly rng: Rng,
    opts: DriftOptions = {},
  ) {
    this.serving = initial;
    this.band = opts.band ?? 0.3;
    this.window = opts.window ?? 40;
    this.outFraction = opts.outFraction ?? 0.8;
    this.capacity = opts.reservoir ?? 256;
  }

  /** Takes one measured sample; returns an event when it led to a refit (taken or rejected). */
  record(share: number, ms: number): DriftEvent | undefined {
    if (!(share > 0 && Number.isFinite(ms) && ms > 0)) return undefined;
    const p = { share, ms };
    this.keep(p);
    const predicted = predictLatencyMs(this.serving.model, share);
    this.recent[this.next] = p;
    this.out[this.next] = Math.abs(ms - predicted) > this.band * predicted;
    this.next = (this.next + 1) % this.window;
    if (this.out.length < this.window) return undefined;
    const outside = this.out.reduce((n, o) => n + (o ? 1 : 0), 0);
    if (outside < this.outFraction * this.window) return undefined;
    return this.refit();
  }

  view(): DriftView {
    let err: number | undefined;
    if (this.reservoir.length > 0) {
      let sum = 0;
      for (const p of this.reservoir) {
        const predicted = predictLatencyMs(this.serving.model, p.share);
        sum += Math.abs(p.ms - predicted) / predicted;
      }
      err = sum / this.reservoir.length;
    }
    return { key: this.key, ...this.serving, measuredError: err, samples: this.seen };
  }

  private refit(): DriftEvent | undefined {
    // From the samples that left the band: those before the change would blur the new curve.
    const drifted = this.recent.filter((_, i) => this.out[i]);
    const shares = drifted.map((p) => p.share);
    const latencies = drifted.map((p) => p.ms);
    // Too few distinct shares to fit: wait for more varied samples.
    if (shares.length < MIN_SAMPLES || new Set(shares).size < MIN_DISTINCT_SHARES) return undefined;
    const fitted = fitClass(shares, latencies);
    const current = this.serving;
    // Either way the window starts over, so one drift makes one decision.
    this.recent = [];
    this.out = [];
    this.next = 0;
    if (!(fitted.r2 >= current.r2)) return { type: "refit-rejected", key: this.key, current, refitR2: fitted.r2 };
    this.serving = { model: { kind: fitted.kind, a: fitted.a, b: fitted.b }, r2: fitted.r2, source: "live" };
    this.reservoir = [];
    this.seen = 0;
    return { type: "model-refitted", key: this.key, from: current, to: this.serving };
  }

  /** Reservoir sampling (algorithm R): every sample since the model started serving is equally likely kept. */
  private keep(p: Point): void {
    this.seen++;
    if (this.reservoir.length < this.capacity) this.reservoir.push(p);
    else {
      const j = Math.floor(this.rng() * this.seen);
      if (j < this.capacity) this.reservoir[j] = p;
    }
  }
}
