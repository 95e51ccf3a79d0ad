// The rule-3 bound bench: the fewest moves any set of one node's requests needs never
// exceeds the rule's (which is one such set), its bounds are ordered, and on a small busy
// trace some admissions could have been made with fewer moves than move order takes.
import { describe, expect, it } from "vitest";
import { fewestMovesBound } from "../../../bench/rule3-bound.js";
import { syntheticNodes } from "../../../scheduler/planner/trace-generator.js";

describe("npm run bench -- rule3-bound", () => {
  it("bounds the fewest moves per case-3 admission below the rule's", () => {
    const r = fewestMovesBound(syntheticNodes({ edge: 12, cloud: 2, edgeCpus: [1, 2], cloudCpus: [4] }), 1500, 120, 5);
    expect(r.admissions).toBeGreaterThan(0);
    expect(Object.values(r.byCount).reduce((a, b) => a + b, 0)).toBe(r.admissions);
    expect(r.fewestAtLeast).toBeLessThanOrEqual(r.fewestAtMost);
    expect(r.fewestAtMost).toBeLessThanOrEqual(r.rulePerAdmission);
    expect(r.exact).toBeLessThanOrEqual(r.admissions);
    expect(r.ruleIsFewest).toBeLessThan(r.admissions);
    for (const key of Object.keys(r.byCount)) {
      const [rule, fewest] = key.split("->").map((x) => Number.parseInt(x, 10));
      expect(fewest!).toBeLessThanOrEqual(rule!);
    }
  });
});
