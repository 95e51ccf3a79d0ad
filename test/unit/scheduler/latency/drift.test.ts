// Drift: a class whose real latency doubles (as when its CPU limit is halved
// behind the scheduler's back) is detected and refitted from live samples; a
// noisy spell shorter than the window is not; a worse refit never serves.
import { describe, expect, it } from "vitest";
import { predictLatencyMs } from "../../../../src/latency/model.js";
import { between, seededRng } from "../../../../src/random.js";
import { DriftTracker, type DriftEvent } from "../../../../scheduler/latency/drift.js";
import { fitClass } from "../../../../scheduler/latency/fit.js";

const truth = { kind: "exponential" as const, a: 900, b: -2.1 };
const SHARES = [0.2, 0.4, 0.6, 0.8, 1];

/** The profile: the true curve with ±5 % noise, fitted as the profiler does. */
function profiled() {
  const rng = seededRng(7);
  const shares = SHARES.flatMap((s) => [s, s, s]);
  const fitted = fitClass(shares, shares.map((s) => predictLatencyMs(truth, s) * between(rng, 0.95, 1.05)));
  return { tracker: new DriftTracker("detect/small", { model: fitted, r2: fitted.r2, source: "profile" }, seededRng(1)), rng };
}

function feed(tracker: DriftTracker, rng: () => number, n: number, factor: number): DriftEvent[] {
  const events: DriftEvent[] = [];
  for (let i = 0; i < n; i++) {
    const share = SHARES[i % SHARES.length]!;
    const e = tracker.record(share, predictLatencyMs(truth, share) * factor * between(rng, 0.95, 1.05));
    if (e) events.push(e);
  }
  return events;
}

describe("DriftTracker", () => {
  it("stays with the profile while measured latency is in band", () => {
    const { tracker, rng } = profiled();
    expect(feed(tracker, rng, 500, 1)).toEqual([]);
    const v = tracker.view();
    expect(v.source).toBe("profile");
    expect(v.measuredError).toBeLessThan(0.1);
    expect(v.samples).toBe(500);
  });

  it("detects a doubled latency within one window and refits from the live samples", () => {
    const { tracker, rng } = profiled();
    feed(tracker, rng, 100, 1);
    const events = feed(tracker, rng, 40, 2);
    expect(events.map((e) => e.type)).toEqual(["model-refitted"]);
    const v = tracker.view();
    expect(v.source).toBe("live");
    expect(v.r2).toBeGreaterThan(0.9);
    // The new model predicts about twice the old latency.
    expect(predictLatencyMs(v.model, 0.5) / predictLatencyMs(truth, 0.5)).toBeGreaterThan(1.8);
    expect(predictLatencyMs(v.model, 0.5) / predictLatencyMs(truth, 0.5)).toBeLessThan(2.2);
    // Then the doubled latency is in band: no further refits.
    expect(feed(tracker, rng, 200, 2)).toEqual([]);
    expect(tracker.view().measuredError).toBeLessThan(0.1);
  });

  it("ignores a noisy spell shorter than the window", () => {
    const { tracker, rng } = profiled();
    feed(tracker, rng, 100, 1);
    const events = [...feed(tracker, rng, 25, 2), ...feed(tracker, rng, 200, 1)];
    expect(events).toEqual([]);
    expect(tracker.view().source).toBe("profile");
  });

  it("never replaces the model with a refit of lower R²", () => {
    const { tracker } = profiled();
    const before = tracker.view();
    const noise = seededRng(3);
    const events: DriftEvent[] = [];
    // Latencies that have nothing to do with the share: far out of band, and no curve explains them.
    for (let i = 0; i < 40; i++) {
      const e = tracker.record(SHARES[i % SHARES.length]!, between(noise, 2000, 6000));
      if (e) events.push(e);
    }
    expect(events.map((e) => e.type)).toEqual(["refit-rejected"]);
    expect(tracker.view().model).toEqual(before.model);
    expect(tracker.view().source).toBe("profile");
  });

  it("keeps bounded memory", () => {
    const { tracker, rng } = profiled();
    feed(tracker, rng, 5000, 1);
    expect(tracker.view().samples).toBe(5000);
    expect((tracker as unknown as { reservoir: unknown[] }).reservoir.length).toBe(256);
  });
});
