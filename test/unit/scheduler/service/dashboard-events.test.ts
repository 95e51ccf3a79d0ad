// The two events the dashboard keeps its views live with: node.report on each
// agent report (its CPU bars) and task.latency on each accepted batch of
// measured latencies (the batch's figures and the task's view after it).
import { afterEach, describe, expect, it } from "vitest";
import { batchOf } from "../../../../scheduler/service/samples.js";
import { createPolicy } from "../../../../scheduler/placement/policies.js";
import { buildSchedulerApp, type SchedulerApp } from "../../../../scheduler/service/app.js";

let app: SchedulerApp;
afterEach(() => app?.close());

const models = { "detect/small": { kind: "exponential" as const, a: 900, b: -2.1 } };

async function start() {
  app = await buildSchedulerApp({ policy: createPolicy("delay-aware", { nodes: [{ name: "edge1", tier: "edge", cpus: 2, netDelayMs: 5 }], models }), models: { ...models } });
  const events: Array<{ type: string; [k: string]: unknown }> = [];
  app.scheduler.events.subscribe((e) => events.push(e as never));
  return events;
}

describe("the dashboard's events", () => {
  it("node.report: the measured CPU from the report beside the reserved cores", async () => {
    const events = await start();
    const placed = await app.inject({ method: "POST", url: "/v1/tasks", payload: { id: "t-1", device: "cam", workload: "detect", inputClass: "small", delayBudgetMs: 400 } });
    expect(placed.statusCode).toBe(201);
    const report = { cpu: { usage: 0.37, cores: 2 }, memory: { total: 1, used: 1 }, load: 0.5, workloads: [{ id: "t-1", cpu: 0.2, memoryBytes: 1 }], capabilities: {} };
    expect((await app.inject({ method: "PUT", url: "/v1/nodes/edge1/report", payload: report })).statusCode).toBe(200);
    const e = events.find((x) => x.type === "node.report")!;
    expect(e).toMatchObject({ node: "edge1", cpuUsage: 0.37, cpus: 2, placements: 1, workloads: 1, usedCpus: placed.json().cpuShare });
    // A refused report (unknown node) announces nothing.
    expect((await app.inject({ method: "PUT", url: "/v1/nodes/nope/report", payload: report })).statusCode).toBe(404);
    expect(events.filter((x) => x.type === "node.report")).toHaveLength(1);
  });

  it("task.latency: each accepted batch with its p50, p95, max and late answers, and the task's latency view", async () => {
    const events = await start();
    await app.inject({ method: "POST", url: "/v1/tasks", payload: { id: "t-1", device: "cam", workload: "detect", inputClass: "small", delayBudgetMs: 400 } });
    const samples = [100, 120, 500, 110].map((ms, i) => ({ at: 1000 + i * 50, e2eMs: ms }));
    expect((await app.inject({ method: "POST", url: "/v1/tasks/t-1/samples", payload: { samples } })).statusCode).toBe(202);
    const e = events.find((x) => x.type === "task.latency")!;
    expect(e).toMatchObject({ task: "t-1", device: "cam", batch: { count: 4, fromMs: 1000, toMs: 1150, p50: 110, p95: 500, max: 500, late: 1 } });
    expect(e.latency).toMatchObject({ task: "t-1", delayBudgetMs: 400, measured: { samples: 4 } });
    // An empty batch announces nothing.
    await app.inject({ method: "POST", url: "/v1/tasks/t-1/samples", payload: { samples: [] } });
    expect(events.filter((x) => x.type === "task.latency")).toHaveLength(1);
    expect(batchOf([], 100)).toBeUndefined();
  });
});
