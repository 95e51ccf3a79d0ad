import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SchedulerApp } from "../../../../scheduler/service/app.js";
import { LOOSE, makeApp, snapshot, TIGHT } from "./helpers.js";

let app: SchedulerApp;
beforeEach(async () => {
  app = await makeApp();
});
afterEach(() => app.close());

const post = (payload: unknown) => app.inject({ method: "POST", url: "/v1/tasks", payload: payload as object });

describe("POST /v1/tasks", () => {
  it("places a task on the edge and answers its node, endpoint, share and predicted delay", async () => {
    const res = await post(LOOSE);
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ task: { id: "t-1", ...LOOSE }, node: "edge1", endpoint: "http://127.0.0.1:7701", case: 1, migrations: [] });
    expect(body.cpuShare).toBeGreaterThan(0.5);
    expect(body.cpuShare).toBeLessThan(0.7);
    expect(body.predictedDelayMs).toBeLessThanOrEqual(LOOSE.delayBudgetMs);
    const placements = (await app.inject({ method: "GET", url: "/v1/placements" })).json();
    expect(placements.map((p: { request: { id: string }; node: string }) => [p.request.id, p.node])).toEqual([["t-1", "edge1"]]);
  });

  it("generates t-1, t-2, ... and keeps an id the client gives", async () => {
    expect((await post({ ...LOOSE, id: "cam-job" })).json().task.id).toBe("cam-job");
    expect((await post(LOOSE)).json().task.id).toBe("t-1");
    expect((await post(LOOSE)).json().task.id).toBe("t-2");
  });

  it("answers the move a tight task triggers and records it as requested (case 3)", async () => {
    await post(LOOSE);
    const res = await post(TIGHT);
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ node: "edge1", case: 3 });
    expect(body.migrations).toEqual([
      expect.objectContaining({ id: "m-1", from: "edge1", to: "cloud1", status: "requested", task: expect.objectContaining({ id: "t-1" }) }),
    ]);
    expect(body.migrations[0].fromEndpoint).toBe("http://127.0.0.1:7701");
    const migrations = (await app.inject({ method: "GET", url: "/v1/migrations" })).json();
    expect(migrations).toHaveLength(1);
    const placements = (await app.inject({ method: "GET", url: "/v1/placements" })).json();
    expect(Object.fromEntries(placements.map((p: { request: { id: string }; node: string }) => [p.request.id, p.node]))).toEqual({
      "t-1": "cloud1",
      "t-2": "edge1",
    });
  });

  it("auto-registers an unknown device when its task is placed", async () => {
    await post(LOOSE);
    const devices = (await app.inject({ method: "GET", url: "/v1/devices" })).json();
    expect(devices).toEqual([expect.objectContaining({ id: "cam-1", auto: true, tasks: 1 })]);
  });

  it("refuses with 409 and a reason, and changes nothing", async () => {
    await post(LOOSE);
    await post(TIGHT);
    const before = await snapshot(app);
    // The edge is full of the tight task, and the cloud cannot meet this budget.
    const res = await post({ ...TIGHT, device: "robot-2" });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ statusCode: 409, error: "Conflict", reason: expect.any(String) });
    expect(res.json().reason.length).toBeGreaterThan(0);
    expect(await snapshot(app)).toEqual(before);
  });

  it("answers 409 for an id already placed, and changes nothing", async () => {
    await post({ ...LOOSE, id: "x" });
    const before = await snapshot(app);
    const res = await post({ ...LOOSE, id: "x" });
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toMatch(/already placed/);
    expect(await snapshot(app)).toEqual(before);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ["a missing field", { device: "d", workload: "detect", inputClass: "small" }, /delayBudgetMs/],
    ["a wrong type", { ...LOOSE, delayBudgetMs: "266" }, /delayBudgetMs must be number/],
    ["a negative budget", { ...LOOSE, delayBudgetMs: -5 }, /delayBudgetMs must be > 0/],
    ["a zero budget", { ...LOOSE, delayBudgetMs: 0 }, /delayBudgetMs must be > 0/],
    ["a fractional priority", { ...LOOSE, priority: 1.5 }, /priority must be integer/],
    ["an unknown field", { ...LOOSE, prio: 3 }, /must NOT have additional properties/],
    ["an empty device", { ...LOOSE, device: "" }, /device/],
    ["a bad id", { ...LOOSE, id: "a b" }, /id must match pattern/],
    ["an array body", [LOOSE], /body must be object/],
    ["a bad serviceType", { ...LOOSE, serviceType: "crit ical" }, /serviceType must match pattern/],
    ["a non-string serviceType", { ...LOOSE, serviceType: 3 }, /serviceType must be string/],
    ["a non-string label", { ...LOOSE, labels: { tier: 1 } }, /labels\/tier must be string/],
    ["a bad label key", { ...LOOSE, labels: { "__proto__x": "a" } }, /labels.*property name/],
    ["labels as a list", { ...LOOSE, labels: ["tier=gold"] }, /labels must be object/],
    ["too many labels", { ...LOOSE, labels: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, "v"])) }, /labels must NOT have more than 32 properties/],
    ["an unknown model class", { ...LOOSE, inputClass: "huge" }, /no latency model for 'detect\/huge'; known: detect\/small/],
  ];
  for (const [what, payload, message] of bad) {
    it(`answers 400 for ${what}, and changes nothing`, async () => {
      await post(LOOSE);
      const before = await snapshot(app);
      const res = await post(payload);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ statusCode: 400, error: "Bad Request", message: expect.stringMatching(message) });
      expect(await snapshot(app)).toEqual(before);
    });
  }

  it("keeps a task's serviceType and labels (migration policies read them)", async () => {
    const res = await post({ ...LOOSE, serviceType: "critical", labels: { tier: "gold", "team.io/owner": "ops" } });
    expect(res.statusCode).toBe(201);
    expect(res.json().task).toMatchObject({ serviceType: "critical", labels: { tier: "gold", "team.io/owner": "ops" } });
    const got = (await app.inject({ method: "GET", url: "/v1/tasks/t-1" })).json();
    expect(got.request).toMatchObject({ serviceType: "critical", labels: { tier: "gold" } });
  });

  it("answers 400 for a body that is not JSON", async () => {
    const res = await app.inject({ method: "POST", url: "/v1/tasks", headers: { "content-type": "application/json" }, payload: "{oops" });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ statusCode: 400, error: "Bad Request" });
  });
});

describe("GET and DELETE /v1/tasks/:id", () => {
  it("shows a placed task, releases it and frees its share", async () => {
    await post(LOOSE);
    const got = await app.inject({ method: "GET", url: "/v1/tasks/t-1" });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({ request: { id: "t-1" }, node: "edge1", endpoint: "http://127.0.0.1:7701" });
    const del = await app.inject({ method: "DELETE", url: "/v1/tasks/t-1" });
    expect(del.statusCode).toBe(200);
    expect(del.json()).toEqual({ released: "t-1", node: "edge1", workloadRemoved: true });
    const nodes = (await app.inject({ method: "GET", url: "/v1/nodes" })).json();
    expect(nodes.find((n: { name: string }) => n.name === "edge1")).toMatchObject({ usedCpus: 0, placements: 0 });
    expect((await app.inject({ method: "GET", url: "/v1/placements" })).json()).toEqual([]);
  });

  it("answers 404 for an unknown task, and changes nothing", async () => {
    await post(LOOSE);
    const before = await snapshot(app);
    for (const method of ["GET", "DELETE"] as const) {
      const res = await app.inject({ method, url: "/v1/tasks/t-99" });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ statusCode: 404, error: "Not Found", message: "no task 't-99'" });
    }
    expect(await snapshot(app)).toEqual(before);
  });
});
