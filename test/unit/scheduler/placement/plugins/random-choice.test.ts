import { describe, expect, it } from "vitest";
import { randomChoice } from "../../../../../scheduler/placement/plugins/random-choice.js";
import { node } from "../node-fixture.js";

describe("randomChoice", () => {
  const nodes = ["a", "b", "c"].map((n, i) => node(n, "edge", 2, 5, i * 500));

  it("prefers no node to another", () => {
    const r = randomChoice(1);
    expect(r.compare(nodes[0]!, nodes[2]!)).toBe(0);
    expect(r.compare(nodes[2]!, nodes[0]!)).toBe(0);
  });

  it("picks among the equal nodes with its seed: the same seed repeats the picks, another differs", () => {
    const picks = (seed: number) => {
      const r = randomChoice(seed);
      return Array.from({ length: 30 }, () => r.pickAmong!(nodes).name).join("");
    };
    expect(picks(7)).toBe(picks(7));
    expect(picks(7)).not.toBe(picks(8));
  });

  it("picks every candidate about equally often", () => {
    const r = randomChoice(3);
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const n = r.pickAmong!(nodes).name;
      counts.set(n, (counts.get(n) ?? 0) + 1);
    }
    for (const n of ["a", "b", "c"]) expect(counts.get(n)).toBeGreaterThan(850);
  });

  it("takes the only candidate", () => {
    expect(randomChoice(5).pickAmong!([nodes[1]!])).toBe(nodes[1]);
  });
});
