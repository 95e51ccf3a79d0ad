import { describe, expect, it } from "vitest";
import { mostUsedFirst } from "../../../../../scheduler/placement/plugins/most-used.js";
import { node, ranked } from "../node-fixture.js";

describe("mostUsedFirst", () => {
  it("ranks by CPU usage (a fraction of the node, not millicores), highest first", () => {
    const small = node("small", "edge", 1, 5, 900); // 90 %
    const big = node("big", "edge", 8, 5, 4000); // 50 %, more millicores
    const idle = node("idle", "edge", 2, 5, 0);
    expect(ranked([idle, big, small], mostUsedFirst.compare)).toEqual(["small", "big", "idle"]);
  });

  it("breaks ties by name in code-unit order, never 0 for two nodes", () => {
    const names = ["edgea", "edge2", "edgeA", "edge10"];
    const nodes = names.map((n) => node(n, "edge", 2, 5, 1000));
    expect(ranked(nodes, mostUsedFirst.compare)).toEqual(["edge10", "edge2", "edgeA", "edgea"]);
    expect(mostUsedFirst.compare(nodes[0]!, nodes[1]!)).not.toBe(0);
  });

  it("is a load order the capacity index keeps", () => {
    expect(mostUsedFirst.indexedAs).toBe("most-used");
  });
});
