// The one CPU period: quota = limit x 5 ms, and limits the period cannot
// express with the kernel's 1 ms minimum quota get a longer period instead.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CPU_PERIOD_US, cfsBandwidth, MAX_PERIOD_US, MIN_PERIOD_LIMIT, MIN_QUOTA_US } from "../../../src/cpu-period.js";

describe("cfsBandwidth", () => {
  it("uses the 5 ms period with quota = limit x period from 0.2 cores up", () => {
    expect(CPU_PERIOD_US).toBe(5_000);
    expect(MIN_PERIOD_LIMIT).toBe(0.2);
    expect(cfsBandwidth(0.2)).toEqual({ periodUs: 5_000, quotaUs: 1_000 });
    expect(cfsBandwidth(0.5)).toEqual({ periodUs: 5_000, quotaUs: 2_500 });
    expect(cfsBandwidth(1)).toEqual({ periodUs: 5_000, quotaUs: 5_000 });
    expect(cfsBandwidth(2.25)).toEqual({ periodUs: 5_000, quotaUs: 11_250 });
  });

  it("keeps the 1 ms minimum quota and stretches the period under 0.2 cores, rather than granting more CPU", () => {
    expect(cfsBandwidth(0.1)).toEqual({ periodUs: 10_000, quotaUs: 1_000 });
    expect(cfsBandwidth(0.05)).toEqual({ periodUs: 20_000, quotaUs: 1_000 });
    expect(cfsBandwidth(0.01)).toEqual({ periodUs: 100_000, quotaUs: 1_000 });
    expect(cfsBandwidth(0.001)).toEqual({ periodUs: MAX_PERIOD_US, quotaUs: 1_000 });
  });

  it("gives every limit the kernel accepts its share within rounding, inside the kernel's bounds", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 64, noNaN: true }), (cores) => {
        const { periodUs, quotaUs } = cfsBandwidth(cores);
        expect(quotaUs).toBeGreaterThanOrEqual(MIN_QUOTA_US);
        expect(periodUs).toBeGreaterThanOrEqual(CPU_PERIOD_US);
        expect(periodUs).toBeLessThanOrEqual(MAX_PERIOD_US);
        expect(Math.abs(quotaUs / periodUs - cores)).toBeLessThanOrEqual(0.5 / periodUs + (cores * 0.5) / periodUs);
      }),
    );
  });

  it("refuses limits no period can express", () => {
    for (const bad of [0, -1, 0.0009, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => cfsBandwidth(bad)).toThrow(/CPU limit/);
  });
});
