import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SchedulerApp } from "../../../../scheduler/service/app.js";
import { CLOUD, EDGE, LOOSE, makeApp, snapshot } from "./helpers.js";

let app: SchedulerApp;
beforeEach(async () => {
  app = await makeApp([CLOUD]);
});
afterEach(() => app.close());

const register = (payload: unknown) => app.inject({ method: "POST", url: "/v1/nodes", payload: payload as object });

describe("POST /v1/nodes", () => {
  it("registers a node (201), and again with the same spec (200, idempotent)", async () => {
    const first = await register(EDGE);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ ...EDGE, usedCpus: 0, placements: 0 });
    const again = await register(EDGE);
    expect(again.statusCode).toBe(200);
    const nodes = (await app.inject({ method: "GET", url: "/v1/nodes" })).json();
    expect(nodes.map((n: { name: string }) => n.name).sort()).toEqual(["cloud1", "edge1"]);
  });

  it("replaces an idle node's spec, and refuses to change a busy one (409)", async () => {
    await register(EDGE);
    const changed = await register({ ...EDGE, cpus: 2 });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().cpus).toBe(2);
    expect((await app.inject({ method: "POST", url: "/v1/tasks", payload: LOOSE })).json().node).toBe("edge1");
    const before = await snapshot(app);
    const busy = await register({ ...EDGE, cpus: 4 });
    expect(busy.statusCode).toBe(409);
    expect(busy.json().message).toMatch(/another spec and has 1 placement/);
    expect(await snapshot(app)).toEqual(before);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ["a missing field", { name: "e", tier: "edge", cpus: 1 }, /netDelayMs/],
    ["a wrong type", { ...EDGE, cpus: "2" }, /cpus must be number/],
    ["zero cpus", { ...EDGE, cpus: 0 }, /cpus must be >= 0.001/],
    ["a negative delay", { ...EDGE, netDelayMs: -1 }, /netDelayMs must be >= 0/],
    ["an unknown tier", { ...EDGE, tier: "fog" }, /tier must be equal to one of the allowed values/],
    ["a bad endpoint", { ...EDGE, endpoint: "ftp://x" }, /endpoint must match pattern/],
    ["a bad name", { ...EDGE, name: "../etc" }, /name must match pattern/],
  ];
  for (const [what, payload, message] of bad) {
    it(`answers 400 for ${what}, and changes nothing`, async () => {
      const before = await snapshot(app);
      const res = await register(payload);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ statusCode: 400, error: "Bad Request", message: expect.stringMatching(message) });
      expect(await snapshot(app)).toEqual(before);
    });
  }
});

describe("PUT /v1/nodes/:name/report", () => {
  const report = {
    cpu: { usage: 0.42, cores: 2 },
    memory: { totalBytes: 4e9, usedBytes: 1e9 },
    load: [0.5, 0.4, 0.3],
    workloads: [{ id: "w-1", state: "running" }],
    capabilities: { criu: true, runtimes: ["direct"] },
    uptimeS: 12,
  };

  it("stores an agent's report as sent and shows it in GET /v1/nodes", async () => {
    await register(EDGE);
    const res = await app.inject({ method: "PUT", url: "/v1/nodes/edge1/report", payload: report });
    expect(res.statusCode).toBe(200);
    const node = (await app.inject({ method: "GET", url: "/v1/nodes/edge1" })).json();
    expect(node.report).toEqual(report);
    expect(typeof node.reportedAt).toBe("string");
  });

  it("answers 404 for an unregistered node and 400 for a malformed report", async () => {
    const unknown = await app.inject({ method: "PUT", url: "/v1/nodes/ghost/report", payload: report });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toMatch(/no node 'ghost'; register it first/);
    await register(EDGE);
    const before = await snapshot(app);
    const bad = await app.inject({ method: "PUT", url: "/v1/nodes/edge1/report", payload: { cpu: { usage: "high" } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/cpu\/usage must be number/);
    expect(await snapshot(app)).toEqual(before);
  });
});

describe("a report's free-form parts are bounded in depth and size", () => {
  // Sent as text: a client library could not even serialize the deepest of these.
  const nestedJson = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
  const putRaw = (payload: string) =>
    app.inject({ method: "PUT", url: "/v1/nodes/edge1/report", payload, headers: { "content-type": "application/json" } });

  for (const [where, depth] of [["memory", 1000], ["memory", 5000], ["an extra field", 1000]] as const) {
    it(`refuses ${where} nested ${depth} deep (400, naming it), and GET /v1/nodes keeps answering (it once answered 500 until the next report)`, async () => {
      await register(EDGE);
      const before = await snapshot(app);
      const field = where === "memory" ? "memory" : "extra";
      const res = await putRaw(`{"cpu":{"usage":0.1,"cores":1},"${field}":${nestedJson(depth)}}`);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: "VALIDATION_FAILED", message: expect.stringContaining(`body/${field}/a/a/a`) });
      const nodes = await app.inject({ method: "GET", url: "/v1/nodes" });
      expect(nodes.statusCode).toBe(200);
      expect(await snapshot(app)).toEqual(before);
    });
  }

  it("refuses a free-form object with too many fields, and a string too long", async () => {
    await register(EDGE);
    const wide = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i]));
    const tooWide = await app.inject({ method: "PUT", url: "/v1/nodes/edge1/report", payload: { capabilities: wide } });
    expect(tooWide.statusCode).toBe(400);
    expect(tooWide.json().message).toMatch(/body\/capabilities must NOT have more than 64 properties/);
    const long = await app.inject({ method: "PUT", url: "/v1/nodes/edge1/report", payload: { capabilities: { note: "x".repeat(4097) } } });
    expect(long.statusCode).toBe(400);
    expect(long.json().message).toMatch(/body\/capabilities\/note must NOT have more than 4096 characters/);
  });
});

describe("DELETE /v1/nodes/:name", () => {
  it("removes an idle node (204), answers 404 for an unknown one and 409 for a busy one", async () => {
    await register(EDGE);
    expect((await app.inject({ method: "DELETE", url: "/v1/nodes/ghost" })).statusCode).toBe(404);
    await app.inject({ method: "POST", url: "/v1/tasks", payload: LOOSE });
    const busy = await app.inject({ method: "DELETE", url: "/v1/nodes/edge1" });
    expect(busy.statusCode).toBe(409);
    expect(busy.json().message).toMatch(/has 1 placement/);
    await app.inject({ method: "DELETE", url: "/v1/tasks/t-1" });
    expect((await app.inject({ method: "DELETE", url: "/v1/nodes/edge1" })).statusCode).toBe(204);
    expect((await app.inject({ method: "GET", url: "/v1/nodes/edge1" })).statusCode).toBe(404);
  });
});
