import { describe, expect, it } from "vitest";
import { capacityFilter } from "../../../../../scheduler/placement/plugins/capacity.js";
import { node } from "../node-fixture.js";

describe("capacityFilter", () => {
  it("passes a node whose free millicores cover the need at the node's own network delay", () => {
    const near = node("near", "edge", 2, 5, 1500); // 500 free
    const far = node("far", "cloud", 4, 40, 3000); // 1000 free
    const asked: number[] = [];
    const need = (d: number) => {
      asked.push(d);
      return d === 5 ? 500 : 1001;
    };
    expect(capacityFilter.filter(near, need)).toBe(true); // exactly full is allowed
    expect(capacityFilter.filter(far, need)).toBe(false);
    expect(asked).toEqual([5, 40]);
  });

  it("never passes an infeasible need, even on an empty node", () => {
    expect(capacityFilter.filter(node("empty", "cloud", 64, 0, 0), () => -1)).toBe(false);
  });

  it("is the check the capacity index evaluates itself", () => {
    expect(capacityFilter.indexedAs).toBe("capacity");
  });
});
