import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SchedulerApp } from "../../../../scheduler/service/app.js";
import type { DeviceExpiry } from "../../../../scheduler/service/device-expiry.js";
import { MemoryStateStore } from "../../../../scheduler/state/store.js";
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

describe("devices leave", () => {
  const CLOUD_ONLY = [{ name: "cloud1", tier: "cloud" as const, cpus: 8, netDelayMs: 60 }];
  const task = (id: string, device: string) => ({ id, device, workload: "detect", inputClass: "small", delayBudgetMs: 266 });

  it("DELETE /v1/devices/:id forgets a device without tasks (204, then 404), refuses one with tasks (409), durably", async () => {
    const store = new MemoryStateStore();
    const a = await makeApp(CLOUD_ONLY, { stateStore: store });
    try {
      expect((await a.inject({ method: "POST", url: "/v1/devices", payload: { id: "cam-1" } })).statusCode).toBe(201);
      expect((await a.inject({ method: "POST", url: "/v1/tasks", payload: task("t-1", "cam-2") })).statusCode).toBe(201);
      const busy = await a.inject({ method: "DELETE", url: "/v1/devices/cam-2" });
      expect(busy.statusCode).toBe(409);
      expect(busy.json()).toMatchObject({ code: "CONFLICT", tasks: 1, message: expect.stringMatching(/1 placed task/) });
      expect([...store.tables.devices.keys()].sort()).toEqual(["cam-1", "cam-2"]);
      const gone = await a.inject({ method: "DELETE", url: "/v1/devices/cam-1" });
      expect(gone.statusCode).toBe(204);
      expect((await a.inject({ method: "GET", url: "/v1/devices/cam-1" })).statusCode).toBe(404);
      expect((await a.inject({ method: "DELETE", url: "/v1/devices/cam-1" })).statusCode).toBe(404);
      expect([...store.tables.devices.keys()]).toEqual(["cam-2"]);
      expect((await a.inject({ method: "GET", url: "/v1/devices" })).json().map((d: { id: string }) => d.id)).toEqual(["cam-2"]);
    } finally {
      await a.close();
    }
  });

  it("an auto-registered device with no task expires after the TTL, durably and announced; one registered by hand stays", async () => {
    let now = Date.parse("2026-12-01T00:00:00Z");
    const store = new MemoryStateStore();
    const a = await makeApp(CLOUD_ONLY, { stateStore: store, deviceTtlMs: 60_000, now: () => new Date(now) });
    const events: Array<{ type: string }> = [];
    a.scheduler.events.subscribe((e) => events.push(e as { type: string }));
    const expiry = a.scheduler.deviceExpiry as DeviceExpiry;
    try {
      await a.inject({ method: "POST", url: "/v1/devices", payload: { id: "by-hand" } });
      expect((await a.inject({ method: "POST", url: "/v1/tasks", payload: task("t-1", "cam-1") })).statusCode).toBe(201);
      expect((await a.inject({ method: "POST", url: "/v1/tasks", payload: task("t-2", "cam-2") })).statusCode).toBe(201);
      now += 120_000;
      expect(await expiry.sweep()).toEqual([]); // both still have a task
      await a.inject({ method: "DELETE", url: "/v1/tasks/t-1" });
      now += 59_000;
      expect(await expiry.sweep()).toEqual([]); // idle for less than the TTL
      now += 1_000;
      expect(await expiry.sweep()).toEqual(["cam-1"]);
      expect((await a.inject({ method: "GET", url: "/v1/devices" })).json().map((d: { id: string }) => d.id)).toEqual(["by-hand", "cam-2"]);
      expect([...store.tables.devices.keys()]).toEqual(["by-hand", "cam-2"]);
      expect(events).toContainEqual(expect.objectContaining({ type: "device-removed", device: "cam-1", reason: "expired" }));
      // A device that gets a task again is no longer idle.
      await a.inject({ method: "DELETE", url: "/v1/tasks/t-2" });
      now += 30_000;
      expect((await a.inject({ method: "POST", url: "/v1/tasks", payload: task("t-3", "cam-2") })).statusCode).toBe(201);
      now += 600_000;
      expect(await expiry.sweep()).toEqual([]);
    } finally {
      await a.close();
    }
  });

  it("a restart starts the idle time again: an expiry can be delayed, never hastened; with TTL 0 none expires", async () => {
    let now = Date.parse("2026-12-01T00:00:00Z");
    const store = new MemoryStateStore();
    const first = await makeApp(CLOUD_ONLY, { stateStore: store, deviceTtlMs: 60_000, now: () => new Date(now) });
    await first.inject({ method: "POST", url: "/v1/tasks", payload: task("t-1", "cam-1") });
    await first.inject({ method: "DELETE", url: "/v1/tasks/t-1" });
    await first.close();
    now += 50_000;
    const second = await makeApp(CLOUD_ONLY, { stateStore: store, deviceTtlMs: 60_000, now: () => new Date(now) });
    const never = await makeApp(CLOUD_ONLY, { stateStore: store, deviceTtlMs: 0, now: () => new Date(now) });
    try {
      now += 30_000;
      expect(await (second.scheduler.deviceExpiry as DeviceExpiry).sweep()).toEqual([]);
      now += 30_000;
      expect(await (never.scheduler.deviceExpiry as DeviceExpiry).sweep()).toEqual([]);
      expect(await (second.scheduler.deviceExpiry as DeviceExpiry).sweep()).toEqual(["cam-1"]);
    } finally {
      await second.close();
      await never.close();
    }
  });
});
