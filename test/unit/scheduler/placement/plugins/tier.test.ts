import { describe, expect, it } from "vitest";
import { tierFilter } from "../../../../../scheduler/placement/plugins/tier.js";
import { node } from "../node-fixture.js";

describe("tierFilter", () => {
  const edge = node("e", "edge", 2, 5, 0);
  const cloud = node("c", "cloud", 8, 40, 0);

  it("passes only nodes of its tier, whatever the request needs", () => {
    const need = () => -1;
    expect([edge, cloud].filter((n) => tierFilter("edge").filter(n, need))).toEqual([edge]);
    expect([edge, cloud].filter((n) => tierFilter("cloud").filter(n, need))).toEqual([cloud]);
  });

  it("tells the capacity index which tier it keeps", () => {
    expect(tierFilter("cloud").indexedAs).toEqual({ tier: "cloud" });
  });
});
