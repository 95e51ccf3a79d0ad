import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SchedulerApp } from "../../../../scheduler/service/app.js";
import { MODELS, makeApp, snapshot } from "./helpers.js";

let app: SchedulerApp;
beforeEach(async () => {
  app = await makeApp();
});
afterEach(() => app.close());

describe("devices", () => {
  it("registers a device (201), updates its site (200) and lists it", async () => {
    const first = await app.inject({ method: "POST", url: "/v1/devices", payload: { id: "cam-1", site: "gate" } });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ id: "cam-1", site: "gate", auto: false, tasks: 0 });
    const again = await app.inject({ method: "POST", url: "/v1/devices", payload: { id: "cam-1", site: "hall" } });
    expect(again.statusCode).toBe(200);
    expect(again.json().registeredAt).toBe(first.json().registeredAt);
    expect((await app.inject({ method: "GET", url: "/v1/devices" })).json()).toEqual([again.json()]);
    expect((await app.inject({ method: "GET", url: "/v1/devices/cam-1" })).json().site).toBe("hall");
    expect((await app.inject({ method: "GET", url: "/v1/devices/cam-9" })).statusCode).toBe(404);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ["a missing id", { site: "gate" }, /must have required property 'id'/],
    ["a wrong type", { id: 7 }, /id must be string/],
    ["an unknown field", { id: "cam-1", owner: "x" }, /must NOT have additional properties/],
  ];
  for (const [what, payload, message] of bad) {
    it(`answers 400 for ${what}, and changes nothing`, async () => {
      const before = await snapshot(app);
      const res = await app.inject({ method: "POST", url: "/v1/devices", payload: payload as object });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ statusCode: 400, message: expect.stringMatching(message) });
      expect(await snapshot(app)).toEqual(before);
    });
  }
});

describe("GET /v1/models", () => {
  it("lists the models the policy places with, from the profile and not yet measured", async () => {
    const none = { p50: null, p95: null };
    const measured = { source: "profile", r2: null, samples: 0, measuredError: null, e2eMs: none, processingMs: none, refits: 0 };
    expect((await app.inject({ method: "GET", url: "/v1/models" })).json()).toEqual({ "detect/small": { ...MODELS["detect/small"], ...measured } });
  });
});

describe("GET /openapi.json", () => {
  it("documents every route with its schema", async () => {
    const res = await app.inject({ method: "GET", url: "/openapi.json" });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of ["/v1/nodes", "/v1/nodes/{name}", "/v1/nodes/{name}/report", "/v1/devices", "/v1/tasks", "/v1/tasks/{id}", "/v1/placements", "/v1/migrations", "/v1/models"]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    const body = doc.paths["/v1/tasks"].post.requestBody.content["application/json"].schema;
    expect(body.required).toEqual(["device", "workload", "inputClass", "delayBudgetMs"]);
    expect(body.properties.delayBudgetMs).toMatchObject({ type: "number", exclusiveMinimum: 0 });
  });
});
