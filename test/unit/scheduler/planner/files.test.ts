// Planner input files: valid shapes parse, every error names file (and line).
import { describe, expect, it } from "vitest";
import { parseClusterJson } from "../../../../scheduler/planner/cluster-file.js";
import { parseRequestsJsonl } from "../../../../scheduler/planner/requests-file.js";

describe("REQUESTS.jsonl", () => {
  it("parses requests, priorities and releases, skipping blank lines", () => {
    const text = [
      '{"id":"r1","device":"iot1","workload":"detect","inputClass":"small","delayBudgetMs":250}',
      "",
      '{"id":"r2","device":"iot2","workload":"detect","inputClass":"small","delayBudgetMs":900,"priority":-2}',
      '{"release":"r1"}',
      '{"id":"r3","device":"iot2","workload":"detect","inputClass":"small","delayBudgetMs":900,"at":12.5}',
    ].join("\n");
    expect(parseRequestsJsonl(text, "t.jsonl")).toEqual([
      { kind: "place", line: 1, request: { id: "r1", device: "iot1", workload: "detect", inputClass: "small", delayBudgetMs: 250 } },
      { kind: "place", line: 3, request: { id: "r2", device: "iot2", workload: "detect", inputClass: "small", delayBudgetMs: 900, priority: -2 } },
      { kind: "release", line: 4, id: "r1" },
      { kind: "place", line: 5, atSec: 12.5, request: { id: "r3", device: "iot2", workload: "detect", inputClass: "small", delayBudgetMs: 900 } },
    ]);
  });

  it.each([
    ['{"id":"r1",', "t.jsonl:2: not valid JSON"],
    ["[1,2]", "t.jsonl:2: expected a JSON object"],
    ['{"id":"r2","device":"d","workload":"w","inputClass":"c","delayBudgetMs":0}', "t.jsonl:2: delayBudgetMs must be a positive number"],
    ['{"id":"r2","device":"d","workload":"w","inputClass":"c","delayBudgetMs":"5"}', "t.jsonl:2: delayBudgetMs must be a positive number"],
    ['{"id":"r2","device":"d","workload":"w","inputClass":"c","delayBudgetMs":5,"priority":0.5}', "t.jsonl:2: priority must be an integer"],
    ['{"id":"r2","device":"d","workload":"w","inputClass":"c","delayBudget":5}', "t.jsonl:2: unknown field 'delayBudget'"],
    ['{"id":"r2","device":"d","workload":"w","inputClass":"c","delayBudgetMs":5,"at":-1}', "t.jsonl:2: at must be a number of seconds >= 0"],
    ['{"id":"r2","device":"d","workload":"w","inputClass":"c","delayBudgetMs":5,"requestsPerSec":-1}', "t.jsonl:2: requestsPerSec must be a number >= 0"],
    ['{"id":"","device":"d","workload":"w","inputClass":"c","delayBudgetMs":5}', "t.jsonl:2: id must be a non-empty string"],
    ['{"release":"zz"}', "t.jsonl:2: release of 'zz', which no earlier line requests"],
    ['{"release":"r1","id":"x"}', 't.jsonl:2: a release line has only "release"'],
  ])("rejects %s", (line, message) => {
    const text = `{"id":"r1","device":"d","workload":"w","inputClass":"c","delayBudgetMs":5}\n${line}\n`;
    expect(() => parseRequestsJsonl(text, "t.jsonl")).toThrow(message);
  });
});

describe("CLUSTER.json", () => {
  it("parses nodes and models", () => {
    const c = parseClusterJson(
      '{"nodes":[{"name":"edge1","tier":"edge","cpus":2,"netDelayMs":5}],"models":{"detect/small":{"kind":"exponential","a":900,"b":-2.1}}}',
      "c.json",
    );
    expect(c).toEqual({
      nodes: [{ name: "edge1", tier: "edge", cpus: 2, netDelayMs: 5 }],
      models: { "detect/small": { kind: "exponential", a: 900, b: -2.1 } },
    });
    const timed = parseClusterJson('{"nodes":[{"name":"e","tier":"edge","cpus":1,"netDelayMs":1}],"downtime":{"detect":{"frozenMs":400,"workingSetMiB":300},"*":{"frozenMs":50}}}', "c.json");
    expect(timed.downtime).toEqual({ detect: { frozenMs: 400, workingSetMiB: 300 }, "*": { frozenMs: 50 } });
  });

  it.each([
    ["{", "c.json: not valid JSON"],
    ['{"nodes":{}}', 'c.json: expected {"nodes": [...], "models"?: {...}}'],
    ['{"nodes":[]}', "c.json: no nodes"],
    ['{"nodes":[{"name":"a","tier":"fog","cpus":1,"netDelayMs":1}]}', 'c.json: nodes[0]: (a) tier must be "edge" or "cloud"'],
    ['{"nodes":[{"name":"a","tier":"edge","cpus":0,"netDelayMs":1}]}', "c.json: nodes[0]: (a) cpus must be a number >= 0.001"],
    ['{"nodes":[{"name":"a","tier":"edge","cpus":1,"netDelayMs":-1}]}', "c.json: nodes[0]: (a) netDelayMs must be a number >= 0"],
    [
      '{"nodes":[{"name":"a","tier":"edge","cpus":1,"netDelayMs":1},{"name":"a","tier":"edge","cpus":1,"netDelayMs":1}]}',
      "c.json: nodes[1]: duplicate node name 'a'",
    ],
    ['{"nodes":[{"name":"a","tier":"edge","cpus":1,"netDelayMs":1}],"models":{"x":{"kind":"power","a":1,"b":-1}}}', 'key must be "workload/inputClass"'],
    ['{"nodes":[{"name":"a","tier":"edge","cpus":1,"netDelayMs":1}],"models":{"w/c":{"kind":"power","a":1,"b":1}}}', 'c.json: models["w/c"]: b must be a negative number'],
    ['{"nodes":[{"name":"a","tier":"edge","cpus":1,"netDelayMs":1}],"downtime":[]}', 'c.json: downtime: expected an object of "workload" (or "*")'],
    ['{"nodes":[{"name":"a","tier":"edge","cpus":1,"netDelayMs":1}],"downtime":{"w":{"frozenMs":-1}}}', 'c.json: downtime["w"].frozenMs must be a number >= 0'],
    ['{"nodes":[{"name":"a","tier":"edge","cpus":1,"netDelayMs":1}],"downtime":{"w":{"frozenMs":1,"ws":1}}}', "c.json: downtime[\"w\"]: unknown field 'ws'"],
  ])("rejects %s", (text, message) => {
    expect(() => parseClusterJson(text, "c.json")).toThrow(message);
  });
});
