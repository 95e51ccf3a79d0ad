import { describe, expect, it } from "vitest";
import { chooseStrategy } from "../../../../edge-agent/migration/auto.js";

const MiB = 1 << 20;
const noPre = { ok: false as const, reason: "criu check --feature mem_dirty_track fails" };

describe("auto strategy choice", () => {
  it("takes post-copy when stop-and-copy would stop the workload too long", () => {
    const c = chooseStrategy({ available: { stopcopy: { ok: true }, postcopy: { ok: true }, precopy: noPre }, workingSetBytes: 256 * MiB, bandwidthBps: 50 * MiB });
    expect(c.strategy).toBe("postcopy");
    expect(c.reason).toMatch(/5120 ms/);
  });

  it("takes stop-and-copy when the copy fits the downtime budget", () => {
    const c = chooseStrategy({ available: { stopcopy: { ok: true }, postcopy: { ok: true }, precopy: noPre }, workingSetBytes: 16 * MiB, bandwidthBps: 100 * MiB });
    expect(c.strategy).toBe("stopcopy");
    expect(c.reason).toMatch(/fits/);
  });

  it("says why when it must stop-and-copy a large workload", () => {
    const c = chooseStrategy({ available: { stopcopy: { ok: true }, postcopy: { ok: false, reason: "no uffd" }, precopy: noPre }, workingSetBytes: 256 * MiB, bandwidthBps: 10 * MiB });
    expect(c.strategy).toBe("stopcopy");
    expect(c.reason).toContain("postcopy: no uffd");
    expect(c.reason).toContain("mem_dirty_track");
  });

  it("without a bandwidth measurement prefers stop-and-copy and says so", () => {
    const c = chooseStrategy({ available: { stopcopy: { ok: true }, postcopy: { ok: true } }, workingSetBytes: 256 * MiB });
    expect(c).toEqual({ strategy: "stopcopy", reason: expect.stringContaining("bandwidth not measured") });
  });

  it("throws with every reason when nothing works", () => {
    expect(() => chooseStrategy({ available: { stopcopy: { ok: false, reason: "no criu" } }, workingSetBytes: 1 })).toThrow(/stopcopy: no criu/);
  });
});
