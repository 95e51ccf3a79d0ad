import { describe, expect, it } from "vitest";
import { IFNAME_MAX, networkNames } from "../../../../edge-agent/runtime/netns-names.js";

describe("workload network names", () => {
  it("fit interface names, carry the node's letters, and differ per node and per workload", () => {
    const a = networkNames("fma-a1", "web");
    const b = networkNames("fma-a2", "web");
    const c = networkNames("fma-a1", "web2");
    for (const n of [a, b, c]) {
      expect(n.port.length).toBeLessThanOrEqual(IFNAME_MAX);
      expect(n.peer.length).toBeLessThanOrEqual(IFNAME_MAX);
      expect(n.port).toMatch(/^fma-/);
      expect(n.port).not.toBe(n.peer);
    }
    expect(a.namespace).toBe("fma-a1-web");
    expect(new Set([a.port, b.port, c.port]).size).toBe(3);
    expect(new Set([a.namespace, b.namespace, c.namespace]).size).toBe(3);
    expect(networkNames("fma-a1", "web")).toEqual(a);
  });

  it("keeps long names short and still unique", () => {
    const long = "x".repeat(40);
    const n1 = networkNames(long, `${"w".repeat(40)}1`);
    const n2 = networkNames(long, `${"w".repeat(40)}2`);
    expect(n1.namespace.length).toBeLessThanOrEqual(60);
    expect(n1.namespace).not.toBe(n2.namespace);
    expect(n1.port.length).toBeLessThanOrEqual(IFNAME_MAX);
  });
});
