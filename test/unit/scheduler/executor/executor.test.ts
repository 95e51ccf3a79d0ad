import { describe, expect, it } from "vitest";
import type { MigrationExecutor, MigrationOrder, MigrationRecord } from "../../../../scheduler/executor/executor.js";
import { RecordingExecutor } from "../../../../scheduler/executor/recording.js";
import { createPolicy } from "../../../../scheduler/placement/policies.js";
import { buildSchedulerApp } from "../../../../scheduler/service/app.js";
import { CLOUD, EDGE, fakeAgents, LOOSE, MODELS, TIGHT } from "../service/helpers.js";

const task = { id: "t-1", device: "cam-1", workload: "detect", inputClass: "small", delayBudgetMs: 200 };

describe("RecordingExecutor", () => {
  it("records each move as requested, in order, with copies callers cannot edit", async () => {
    const at = new Date("2026-01-01T00:00:00Z");
    const ex = new RecordingExecutor(() => at);
    const r1 = await ex.request({ request: "t-1", from: "edge1", to: "cloud1", cpuShare: 0.5, task, toEndpoint: "http://127.0.0.1:7703" });
    await ex.request({ request: "t-2", from: "edge2", to: "cloud1", cpuShare: 0.25, task: { ...task, id: "t-2" } });
    expect(r1).toEqual({
      id: "m-1",
      task,
      from: "edge1",
      to: "cloud1",
      cpuShare: 0.5,
      toEndpoint: "http://127.0.0.1:7703",
      status: "requested",
      requestedAt: "2026-01-01T00:00:00.000Z",
    });
    const records = ex.records();
    expect(records.map((r) => r.id)).toEqual(["m-1", "m-2"]);
    records[0]!.status = "done";
    expect(ex.records()[0]!.status).toBe("requested");
  });
});

describe("a service with another executor", () => {
  it("hands it each move with both nodes' endpoints and lists what it reports", async () => {
    const orders: MigrationOrder[] = [];
    const executor: MigrationExecutor = {
      async request(order) {
        orders.push(order);
        return { ...order, id: "x-1", status: "running", requestedAt: "2026-01-01T00:00:00.000Z" } satisfies MigrationRecord;
      },
      records: () => orders.map((o) => ({ ...o, id: "x-1", status: "running" as const, requestedAt: "2026-01-01T00:00:00.000Z" })),
    };
    const cloud = { ...CLOUD, endpoint: "http://127.0.0.1:7703" };
    const app = await buildSchedulerApp({ policy: createPolicy("delay-aware", { nodes: [EDGE, cloud], models: MODELS }), models: MODELS, executor, agents: fakeAgents().directory });
    await app.inject({ method: "POST", url: "/v1/tasks", payload: LOOSE });
    const res = await app.inject({ method: "POST", url: "/v1/tasks", payload: TIGHT });
    expect(res.json().migrations).toEqual([expect.objectContaining({ id: "x-1", status: "running" })]);
    expect(orders).toEqual([
      expect.objectContaining({
        request: "t-1",
        from: "edge1",
        to: "cloud1",
        fromEndpoint: "http://127.0.0.1:7701",
        toEndpoint: "http://127.0.0.1:7703",
        task: expect.objectContaining({ id: "t-1", priority: 1 }),
        service: expect.objectContaining({ workloadId: "t-1", ip: "10.77.0.2", port: 8080 }),
      }),
    ]);
    expect((await app.inject({ method: "GET", url: "/v1/migrations" })).json()).toHaveLength(1);
    await app.close();
  });
});
