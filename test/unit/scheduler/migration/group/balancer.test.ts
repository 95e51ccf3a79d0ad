import { describe, expect, it } from "vitest";
import { HELD_FRACTION, mbps, nextParallelism, type RoundMeasure } from "../../../../../scheduler/migration/group/balancer.js";

const LIMITS = { maxParallel: 5, maxOutboundPerNode: 2, sourceNodes: 3 };
/** A transfer of `rate` Mbit/s over one second. */
const at = (rate: number) => ({ bytes: (rate * 1e6) / 8, ms: 1000 });

describe("the group balancer", () => {
  it("starts with one transfer, to measure what one gets alone", () => {
    expect(nextParallelism([], LIMITS)).toEqual({ parallelism: 1, reason: expect.stringMatching(/first round: one transfer/) });
  });

  it("measures Mbit/s from bytes and ms", () => {
    expect(mbps({ bytes: 125_000, ms: 1000 })).toBe(1);
    expect(mbps({ bytes: 10, ms: 0 })).toBe(0);
  });

  it("after one lone transfer, tries two", () => {
    const c = nextParallelism([{ parallelism: 1, transfers: [at(400)] }], LIMITS);
    expect(c.parallelism).toBe(2);
    expect(c.reason).toMatch(/1 transfer at 400 Mbit\/s/);
  });

  it("doubles while every transfer keeps close to the baseline (the link is not the bottleneck)", () => {
    const rounds: RoundMeasure[] = [
      { parallelism: 1, transfers: [at(400)] },
      { parallelism: 2, transfers: [at(390), at(380)] },
    ];
    const c = nextParallelism(rounds, { ...LIMITS, maxParallel: 10 });
    expect(c.parallelism).toBe(4);
    expect(c.reason).toMatch(/not saturated, doubling to 4/);
  });

  it("when transfers slowed each other, sends what the aggregate carries at full speed", () => {
    const rounds: RoundMeasure[] = [
      { parallelism: 1, transfers: [at(400)] },
      { parallelism: 4, transfers: [at(250), at(250), at(250), at(250)] },
    ];
    const c = nextParallelism(rounds, { ...LIMITS, maxParallel: 10 });
    expect(c.parallelism).toBe(2); // 1000 Mbit/s together / 400 each = 2.5 → 2
    expect(c.reason).toMatch(/slowed to 250 Mbit\/s .* together 1000 Mbit\/s, room for 2/);
  });

  it("never below one, even on a link one transfer saturates", () => {
    const rounds: RoundMeasure[] = [
      { parallelism: 1, transfers: [at(100)] },
      { parallelism: 2, transfers: [at(30), at(30)] },
    ];
    expect(nextParallelism(rounds, LIMITS).parallelism).toBe(1);
  });

  it("a transfer just at the held fraction counts as held", () => {
    const rounds: RoundMeasure[] = [
      { parallelism: 1, transfers: [at(100)] },
      { parallelism: 2, transfers: [at(100 * HELD_FRACTION), at(100)] },
    ];
    expect(nextParallelism(rounds, { ...LIMITS, maxParallel: 10 }).parallelism).toBe(4);
  });

  it("is bounded by the cluster limit, and by the outbound limit per source node", () => {
    const fast: RoundMeasure[] = [
      { parallelism: 1, transfers: [at(400)] },
      { parallelism: 4, transfers: [at(400), at(400), at(400), at(400)] },
    ];
    const cluster = nextParallelism(fast, { maxParallel: 5, maxOutboundPerNode: 2, sourceNodes: 3 });
    expect(cluster).toEqual({ parallelism: 5, reason: expect.stringMatching(/bounded to 5 by the limits \(5 at once in the cluster\)/) });
    const outbound = nextParallelism(fast, { maxParallel: 5, maxOutboundPerNode: 2, sourceNodes: 1 });
    expect(outbound).toEqual({ parallelism: 2, reason: expect.stringMatching(/bounded to 2 .*2 outbound per node × 1 source node/) });
  });

  it("learns nothing from a round whose transfers failed or measured nothing", () => {
    const rounds: RoundMeasure[] = [
      { parallelism: 1, transfers: [at(400)] },
      { parallelism: 2, transfers: [{ bytes: 0, ms: 0 }] },
    ];
    // The last measured round (the lone one) decides.
    expect(nextParallelism(rounds, LIMITS).parallelism).toBe(2);
    expect(nextParallelism([{ parallelism: 1, transfers: [] }], LIMITS)).toEqual({ parallelism: 1, reason: "nothing measured yet: one transfer" });
  });
});
