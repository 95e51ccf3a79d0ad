import { describe, expect, it } from "vitest";
import { nameFirst } from "../../../../../scheduler/placement/plugins/name-order.js";
import { node, ranked } from "../node-fixture.js";

describe("nameFirst", () => {
  it("ranks by name in UTF-16 code-unit order, whatever the load (first fit)", () => {
    const nodes = [node("edgea", "edge", 2, 5, 0), node("edge2", "edge", 2, 5, 2000), node("edgeA", "cloud", 2, 5, 10), node("edge10", "edge", 2, 5, 500)];
    expect(ranked(nodes, nameFirst.compare)).toEqual(["edge10", "edge2", "edgeA", "edgea"]);
  });

  it("is not an order the capacity index keeps, so its passes scan", () => {
    expect(nameFirst.indexedAs).toBeUndefined();
  });
});
