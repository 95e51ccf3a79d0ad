// The retry wait: doubles per retry, never above the cap, jittered within [d/2, d].
import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../../../src/http/backoff.js";

const policy = { attempts: 6, baseMs: 100, maxMs: 300 };

describe("backoffDelay", () => {
  it("doubles from the base and stops at the cap", () => {
    const top = [1, 2, 3, 4, 5].map((retry) => backoffDelay(policy, retry, () => 1));
    expect(top).toEqual([100, 200, 300, 300, 300]);
  });

  it("jitters between half and all of the ceiling", () => {
    expect([1, 2, 3].map((retry) => backoffDelay(policy, retry, () => 0))).toEqual([50, 100, 150]);
    for (let i = 0; i < 200; i++) {
      const retry = 1 + (i % 5);
      const ceiling = Math.min(300, 100 * 2 ** (retry - 1));
      const d = backoffDelay(policy, retry, Math.random);
      expect(d).toBeGreaterThanOrEqual(ceiling / 2);
      expect(d).toBeLessThanOrEqual(ceiling);
    }
  });
});
