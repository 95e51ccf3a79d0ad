import { describe, expect, it } from "vitest";
import { leastUsedFirst } from "../../../../../scheduler/placement/plugins/least-used.js";
import { node, ranked } from "../node-fixture.js";

describe("leastUsedFirst", () => {
  it("ranks by CPU usage, lowest first, ties by name", () => {
    const a = node("a", "edge", 2, 5, 1000); // 50 %
    const b = node("b", "cloud", 4, 40, 2000); // 50 %
    const c = node("c", "edge", 1, 5, 100); // 10 %
    const d = node("d", "cloud", 8, 40, 8000); // full
    expect(ranked([d, b, a, c], leastUsedFirst.compare)).toEqual(["c", "a", "b", "d"]);
  });

  it("is a load order the capacity index keeps", () => {
    expect(leastUsedFirst.indexedAs).toBe("least-used");
  });
});
