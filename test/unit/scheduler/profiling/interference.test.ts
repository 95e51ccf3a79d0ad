import { describe, expect, it } from "vitest";
import { normalizeForInterference } from "../../../../scheduler/profiling/interference.js";
import type { ProfileSample } from "../../../../scheduler/profiling/profiler.js";

const sample = (inputClass: string, cpuShare: number, rawLatencyMs: number, cpuMs: number): ProfileSample => ({
  workload: "detect",
  inputClass,
  cpuShare,
  latencyMs: rawLatencyMs,
  rawLatencyMs,
  cpuMs,
  checksum: "c",
});

describe("normalizeForInterference", () => {
  it("scales each sample to its size's median CPU time and keeps the measured latency beside it", () => {
    // medium: CPU times 60, 80, 120 (median 80); a sample slowed by a busy neighbour took 120 ms of CPU.
    const out = normalizeForInterference([
      sample("medium", 0.25, 240, 60),
      sample("medium", 0.25, 480, 120),
      sample("medium", 1, 88, 80),
      sample("large", 0.5, 1000, 500),
    ]);
    expect(out.map((s) => s.latencyMs)).toEqual([320, 320, 88, 1000]);
    expect(out.map((s) => s.rawLatencyMs)).toEqual([240, 480, 88, 1000]);
  });

  it("takes sizes apart: one size's slow spell does not rescale another's", () => {
    const out = normalizeForInterference([sample("medium", 1, 100, 100), sample("medium", 1, 50, 50), sample("medium", 1, 75, 75), sample("large", 1, 400, 400)]);
    expect(out.map((s) => s.latencyMs)).toEqual([75, 75, 75, 400]);
  });

  it("leaves a sample whose CPU time read 0 as measured", () => {
    const out = normalizeForInterference([sample("small", 1, 3, 0), sample("small", 1, 4, 2)]);
    expect(out.map((s) => s.latencyMs)).toEqual([3, 4]);
  });
});
