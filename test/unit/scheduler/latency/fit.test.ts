// Fitting recovers known parameters from noisy generated samples, picks the
// right model kind by held-out R², and refuses classes it cannot fit.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fitClass, fitModels, looR2 } from "../../../../scheduler/latency/fit.js";
import { type LatencyModel, MAX_SHARE, predictLatencyMs, requiredShare } from "../../../../src/latency/model.js";
import { type Sample, SampleError } from "../../../../scheduler/latency/samples.js";

/** mulberry32: a small seeded PRNG, so the noisy samples are the same on every run. */
function rng(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

/** Samples of `model` at shares 0.1..1, `repeats` each, with multiplicative noise of +-`noise`. */
function noisySamples(model: LatencyModel, key: [string, string], seed: number, noise = 0.05, repeats = 4): Sample[] {
  const random = rng(seed);
  const out: Sample[] = [];
  let line = 2;
  for (let r = 0; r < repeats; r++) {
    for (let i = 1; i <= 10; i++) {
      const cpuShare = i / 10;
      const latencyMs = predictLatencyMs(model, cpuShare) * (1 + noise * (2 * random() - 1));
      out.push({ workload: key[0], inputClass: key[1], cpuShare, latencyMs, line: line++ });
    }
  }
  return out;
}

describe("fitModels", () => {
  it("recovers an exponential a within 5% and b within 0.05 from samples with +-5% noise", () => {
    const truth: LatencyModel = { kind: "exponential", a: 912.4, b: -2.08 };
    const m = fitModels(noisySamples(truth, ["detect", "small"], 7), "gen.csv")["detect/small"]!;
    expect(m.kind).toBe("exponential");
    expect(Math.abs(m.a - truth.a) / truth.a).toBeLessThan(0.05);
    expect(Math.abs(m.b - truth.b)).toBeLessThan(0.05);
    expect(m.n).toBe(40);
    expect(m.r2).toBeGreaterThan(0.95);
    expect(m.alternatives).toHaveLength(1);
    expect(m.alternatives[0]!.kind).toBe("power");
    expect(m.alternatives[0]!.r2).toBeLessThan(m.r2);
  });

  it("recovers a power a within 5% and b within 0.05 from samples with +-5% noise", () => {
    const truth: LatencyModel = { kind: "power", a: 215.9, b: -1.04 };
    const m = fitModels(noisySamples(truth, ["detect", "large"], 11), "gen.csv")["detect/large"]!;
    expect(m.kind).toBe("power");
    expect(Math.abs(m.a - truth.a) / truth.a).toBeLessThan(0.05);
    expect(Math.abs(m.b - truth.b)).toBeLessThan(0.05);
    expect(m.alternatives.map((a) => a.kind)).toEqual(["exponential"]);
  });

  it("fits each workload/class separately, keyed in order of first appearance", () => {
    const samples = [
      ...noisySamples({ kind: "power", a: 50, b: -1 }, ["detect", "medium"], 1),
      ...noisySamples({ kind: "exponential", a: 100, b: -1.5 }, ["blur", "small"], 2),
    ];
    const models = fitModels(samples);
    expect(Object.keys(models)).toEqual(["detect/medium", "blur/small"]);
    expect(models["detect/medium"]!.kind).toBe("power");
    expect(models["blur/small"]!.kind).toBe("exponential");
  });

  it("scores held out: exact data gives R² 1, and leave-one-out R² is below the in-sample R² on noise", () => {
    const shares = [0.2, 0.4, 0.6, 0.8, 1];
    expect(looR2("power", shares, shares.map((s) => 100 * s ** -1))).toBeCloseTo(1, 10);
    const samples = noisySamples({ kind: "power", a: 100, b: -1 }, ["w", "c"], 3, 0.3, 1);
    const xs = samples.map((s) => s.cpuShare);
    const ys = samples.map((s) => s.latencyMs);
    const fit = fitClass(xs, ys);
    const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
    const inSample =
      1 -
      ys.reduce((s, y, i) => s + (y - predictLatencyMs(fit, xs[i]!)) ** 2, 0) / ys.reduce((s, y) => s + (y - mean) ** 2, 0);
    expect(fit.r2).toBeLessThan(inSample);
  });

  it("refuses a class with fewer than 3 samples, naming the file and its first line", () => {
    const samples: Sample[] = [
      ...noisySamples({ kind: "power", a: 50, b: -1 }, ["detect", "small"], 1),
      { workload: "detect", inputClass: "tiny", cpuShare: 0.5, latencyMs: 10, line: 99 },
      { workload: "detect", inputClass: "tiny", cpuShare: 1, latencyMs: 5, line: 100 },
    ];
    expect(() => fitModels(samples, "p.csv")).toThrowError(
      expect.objectContaining({ file: "p.csv", line: 99, column: 1, message: expect.stringContaining("p.csv:99:1: detect/tiny has 2 sample(s); fitting needs at least 3") }),
    );
    expect(() => fitModels(samples, "p.csv")).toThrow(SampleError);
  });

  it("refuses a class measured at fewer than 3 distinct shares", () => {
    const samples: Sample[] = [0.5, 0.5, 1, 1].map((cpuShare, i) => ({ workload: "w", inputClass: "c", cpuShare, latencyMs: 10 / cpuShare, line: 5 + i }));
    expect(() => fitModels(samples, "p.csv")).toThrow("p.csv:5:1: w/c has 2 distinct cpuShare value(s); fitting needs at least 3");
  });

  it("refuses an empty sample list", () => {
    expect(() => fitModels([], "p.csv")).toThrow("p.csv:1:1: no samples");
  });
});

describe("requiredShare", () => {
  const modelArb = fc.oneof(
    fc.record({ kind: fc.constant("exponential" as const), a: fc.double({ min: 1, max: 5000, noNaN: true }), b: fc.double({ min: -5, max: -0.1, noNaN: true }) }),
    fc.record({ kind: fc.constant("power" as const), a: fc.double({ min: 1, max: 5000, noNaN: true }), b: fc.double({ min: -3, max: -0.1, noNaN: true }) }),
  );

  it("round-trips: the share it returns predicts the asked delay (within 1e-6 relative)", () => {
    fc.assert(
      fc.property(modelArb, fc.double({ min: 0.05, max: 1, noNaN: true }), (model, share) => {
        const delay = predictLatencyMs(model, share);
        const res = requiredShare(model, delay);
        expect(res.ok).toBe(true);
        if (!res.ok) return;
        expect(Math.abs(predictLatencyMs(model, res.cpuShare) - delay) / delay).toBeLessThan(1e-6);
        expect(Math.abs(res.cpuShare - share)).toBeLessThan(1e-6);
      }),
    );
  });

  it("calls a delay below what one full core gives infeasible, with that reason", () => {
    const model: LatencyModel = { kind: "power", a: 215.9, b: -1.04 };
    const best = predictLatencyMs(model, MAX_SHARE);
    const res = requiredShare(model, best * 0.9);
    expect(res).toEqual({ ok: false, reason: expect.stringContaining("one full core gives 215.9 ms") });
    expect(requiredShare(model, best)).toEqual({ ok: true, cpuShare: expect.closeTo(1, 9) });
  });
});
