import { describe, expect, it } from "vitest";
import { MAX_NEIGHBOURS, parseNeighbours } from "../../../../edge-agent/runtime/neighbours.js";

describe("parseNeighbours", () => {
  it("keeps resolved IPv4 entries with a MAC, lower-cased; drops failed and incomplete ones", () => {
    const json = JSON.stringify([
      { dst: "10.77.255.254", dev: "eth0", lladdr: "AA:BB:CC:00:11:22", state: ["REACHABLE"] },
      { dst: "10.77.0.9", dev: "eth0", lladdr: "02:00:0a:4d:00:09", state: ["STALE"] },
      { dst: "10.77.0.10", dev: "eth0", state: ["FAILED"] },
      { dst: "10.77.0.11", dev: "eth0", lladdr: "02:00:0a:4d:00:0b", state: ["INCOMPLETE"] },
      { dst: "fe80::1", dev: "eth0", lladdr: "02:00:0a:4d:00:0c", state: ["REACHABLE"] },
      { dst: "10.77.0.12", lladdr: "not-a-mac", state: ["REACHABLE"] },
    ]);
    expect(parseNeighbours(json)).toEqual([
      { ip: "10.77.255.254", mac: "aa:bb:cc:00:11:22" },
      { ip: "10.77.0.9", mac: "02:00:0a:4d:00:09" },
    ]);
  });

  it("answers none for garbage, and at most MAX_NEIGHBOURS", () => {
    expect(parseNeighbours("not json")).toEqual([]);
    expect(parseNeighbours('{"dst":"1.2.3.4"}')).toEqual([]);
    expect(parseNeighbours("")).toEqual([]);
    const many = Array.from({ length: 100 }, (_, i) => ({ dst: `10.0.${i}.1`, lladdr: "02:00:00:00:00:01", state: ["STALE"] }));
    expect(parseNeighbours(JSON.stringify(many))).toHaveLength(MAX_NEIGHBOURS);
  });
});
