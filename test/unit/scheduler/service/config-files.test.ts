import { describe, expect, it } from "vitest";
import { parseClusterFile, parseModelsFile } from "../../../../scheduler/service/config-files.js";

describe("parseModelsFile", () => {
  it("reads a bare models object and one wrapped in {models}", () => {
    const models = { "detect/small": { kind: "exponential", a: 900, b: -2.1 } };
    expect(parseModelsFile(JSON.stringify(models), "m.json")).toEqual(models);
    expect(parseModelsFile(JSON.stringify({ models }), "m.json")).toEqual(models);
  });

  const bad: Array<[string, string, RegExp]> = [
    ["not JSON", "{", /^m\.json: not valid JSON/],
    ["a bad key", JSON.stringify({ detect: { kind: "power", a: 1, b: -1 } }), /key 'detect' is not "workload\/inputClass"/],
    ["a bad kind", JSON.stringify({ "d/s": { kind: "linear", a: 1, b: -1 } }), /d\/s: kind must be/],
    ["a non-negative b", JSON.stringify({ "d/s": { kind: "power", a: 1, b: 0 } }), /d\/s: b must be a negative number/],
    ["no models", "{}", /no models/],
  ];
  for (const [what, text, message] of bad) {
    it(`rejects ${what}, naming the file`, () => {
      expect(() => parseModelsFile(text, "m.json")).toThrow(message);
    });
  }
});

describe("parseClusterFile", () => {
  it("reads nodes and optional models", () => {
    const text = JSON.stringify({
      nodes: [{ name: "edge1", tier: "edge", cpus: 2, netDelayMs: 5, endpoint: "http://127.0.0.1:7701" }],
      models: { "detect/small": { kind: "power", a: 14, b: -1.2 } },
    });
    const cluster = parseClusterFile(text, "c.json");
    expect(cluster.nodes).toEqual([{ name: "edge1", tier: "edge", cpus: 2, netDelayMs: 5, endpoint: "http://127.0.0.1:7701" }]);
    expect(cluster.models?.["detect/small"]?.kind).toBe("power");
  });

  it("rejects a duplicate node and a bad tier, naming the entry", () => {
    const node = { name: "e", tier: "edge", cpus: 1, netDelayMs: 1 };
    expect(() => parseClusterFile(JSON.stringify({ nodes: [node, node] }), "c.json")).toThrow("c.json: nodes[1]: duplicate node name 'e'");
    expect(() => parseClusterFile(JSON.stringify({ nodes: [{ ...node, tier: "fog" }] }), "c.json")).toThrow(/nodes\[0\] \(e\): tier/);
    expect(() => parseClusterFile("[]", "c.json")).toThrow(/expected \{"nodes"/);
  });
});
