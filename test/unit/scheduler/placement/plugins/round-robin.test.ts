import { describe, expect, it } from "vitest";
import type { NodeState } from "../../../../../scheduler/placement/node-state.js";
import { RoundRobin } from "../../../../../scheduler/placement/plugins/round-robin.js";
import { node } from "../node-fixture.js";

const cluster = (names: string[]) => new Map(names.map((n) => [n, node(n, "edge", 2, 5, 0)] as const));
const order = (rr: RoundRobin, nodes: Map<string, NodeState>) => [...nodes.values()].sort((a, b) => rr.compare(a, b)).map((n) => n.name);

describe("RoundRobin", () => {
  it("starts at the first name and, after each placement, puts the next name first (wrapping)", () => {
    const nodes = cluster(["c", "a", "b"]);
    const rr = new RoundRobin();
    rr.nodesChanged(nodes);
    expect(order(rr, nodes)).toEqual(["a", "b", "c"]);
    rr.reserve(nodes.get("a")!);
    expect(order(rr, nodes)).toEqual(["b", "c", "a"]);
    rr.reserve(nodes.get("c")!); // c was placed (b had no room): a is next
    expect(order(rr, nodes)).toEqual(["a", "b", "c"]);
  });

  it("keeps its place at the same name when nodes join", () => {
    const nodes = cluster(["a", "c", "e"]);
    const rr = new RoundRobin();
    rr.nodesChanged(nodes);
    rr.reserve(nodes.get("a")!); // c next
    nodes.set("b", node("b", "edge", 2, 5, 0));
    nodes.set("d", node("d", "edge", 2, 5, 0));
    rr.nodesChanged(nodes);
    expect(order(rr, nodes)).toEqual(["c", "d", "e", "a", "b"]);
  });

  it("moves on to the next name when the node it was at leaves, and to the first when none follows", () => {
    const nodes = cluster(["a", "b", "c"]);
    const rr = new RoundRobin();
    rr.nodesChanged(nodes);
    rr.reserve(nodes.get("a")!); // b next
    nodes.delete("b");
    rr.nodesChanged(nodes);
    expect(order(rr, nodes)).toEqual(["c", "a"]);
    rr.reserve(nodes.get("a")!); // c next
    nodes.delete("c");
    rr.nodesChanged(nodes);
    expect(order(rr, nodes)).toEqual(["a"]);
  });
});
