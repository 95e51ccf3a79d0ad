// The device stats with numbers checked by hand.
import { describe, expect, it } from "vitest";
import { longestGap, type Outcome, overallStats, percentile, requestStats } from "../../../../src/devices/stats.js";

// Budget 100 ms. Answers arrive at 10, 120, 450 and 530 ms: gaps 110, 330, 80.
const A: Outcome[] = [
  { ok: true, at: 0, latencyMs: 10 },
  { ok: true, at: 100, latencyMs: 20 },
  { ok: false, at: 200, kind: "reset" },
  { ok: true, at: 300, latencyMs: 150 }, // late
  { ok: false, at: 400, kind: "timeout" },
  { ok: true, at: 500, latencyMs: 30 },
];
// Budget 10 ms; answers at 5 and 1005: one gap of 1000.
const B: Outcome[] = [
  { ok: true, at: 0, latencyMs: 5 },
  { ok: true, at: 1000, latencyMs: 5 },
];

describe("device stats", () => {
  it("takes nearest-rank percentiles", () => {
    const ten = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(percentile(ten, 0.5)).toBe(50); // rank ceil(5) = 5
    expect(percentile(ten, 0.95)).toBe(100); // rank ceil(9.5) = 10
    expect(percentile(ten, 0.1)).toBe(10);
    expect(percentile(ten, 0.11)).toBe(20); // rank ceil(1.1) = 2
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBeNull();
  });

  it("finds the longest gap between consecutive times, in any order", () => {
    expect(longestGap([450, 10, 530, 120])).toBe(330);
    expect(longestGap([5])).toBeNull();
  });

  it("counts answers, errors by kind, misses (late or failed) and the longest gap of one device", () => {
    expect(requestStats(A, 100)).toEqual({
      requests: 6,
      answered: 4,
      errors: { reset: 1, timeout: 1, http: 0, connect: 0 },
      // sorted 10, 20, 30, 150: p50 rank 2, p95 and p99 rank 4
      latencyMs: { p50: 20, p95: 150, p99: 150, max: 150 },
      deadlineMisses: 3,
      missRate: 0.5,
      longestGapMs: 330,
    });
  });

  it("is all zeros and nulls without requests", () => {
    expect(requestStats([], 100)).toEqual({
      requests: 0,
      answered: 0,
      errors: { reset: 0, timeout: 0, http: 0, connect: 0 },
      latencyMs: { p50: null, p95: null, p99: null, max: null },
      deadlineMisses: 0,
      missRate: 0,
      longestGapMs: null,
    });
  });

  it("adds devices up: percentiles over every latency, the worst device's gap (never across devices)", () => {
    const all = overallStats([
      { outcomes: A, budgetMs: 100 },
      { outcomes: B, budgetMs: 10 },
    ]);
    expect(all.requests).toBe(8);
    expect(all.answered).toBe(6);
    expect(all.errors).toEqual({ reset: 1, timeout: 1, http: 0, connect: 0 });
    // sorted 5, 5, 10, 20, 30, 150: p50 rank 3, p95 rank ceil(5.7) = 6
    expect(all.latencyMs).toEqual({ p50: 10, p95: 150, p99: 150, max: 150 });
    expect(all.deadlineMisses).toBe(3);
    expect(all.missRate).toBe(3 / 8);
    expect(all.longestGapMs).toBe(1000);
  });
});
