// SchedulerClient against the real scheduler app on a loopback port: a
// refusal is an outcome, a second release answers null, other errors throw.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SchedulerApp } from "../../../../scheduler/service/app.js";
import { SchedulerClient } from "../../../../src/clients/scheduler.js";
import { ServiceError } from "../../../../src/http/client-errors.js";
import { LOOSE, makeApp } from "../../scheduler/service/helpers.js";

let app: SchedulerApp;
let scheduler: SchedulerClient;

beforeAll(async () => {
  app = await makeApp();
  scheduler = new SchedulerClient(await app.listen({ host: "127.0.0.1", port: 0 }));
});
afterAll(async () => app?.close());

describe("SchedulerClient", () => {
  it("places a task, refuses an impossible one as an outcome, and releases once", async () => {
    const placed = await scheduler.submitTask(LOOSE);
    expect(placed).toMatchObject({ outcome: "placed", placed: { node: "edge1", case: 1, task: { id: "t-1" } } });
    const refused = await scheduler.submitTask({ ...LOOSE, delayBudgetMs: 1 });
    expect(refused.outcome).toBe("refused");
    if (refused.outcome === "refused") {
      expect(refused.refused.reason).toMatch(/budget|no node/);
      expect(refused.refused.message).toMatch(/refused/);
      expect(refused.refused.task?.device).toBe(LOOSE.device);
    }
    const duplicate = await scheduler.submitTask({ ...LOOSE, id: "t-1" });
    expect(duplicate).toMatchObject({ outcome: "refused", refused: { reason: "duplicate task id" } });
    expect(await scheduler.releaseTask("t-1")).toEqual({ released: "t-1", node: "edge1", workloadRemoved: true });
    expect(await scheduler.releaseTask("t-1")).toBeNull();
  });

  it("throws a ServiceError for a bad request, naming the scheduler and the call", async () => {
    const err = await scheduler.submitTask({ ...LOOSE, workload: "unknown" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).status).toBe(400);
    expect((err as Error).message).toMatch(/^scheduler at http:\/\/127\.0\.0\.1:\d+: POST \/v1\/tasks answered 400: no latency model for 'unknown\/small'/);
    await expect(scheduler.node("nope")).rejects.toThrow(/GET \/v1\/nodes\/nope answered 404: no node 'nope'/);
  });

  it("registers a node and sends its report", async () => {
    await scheduler.registerNode({ name: "edge9", tier: "edge", cpus: 1, netDelayMs: 3 });
    const receipt = await scheduler.report("edge9", { cpu: { usage: 0.1, cores: 1 }, memory: { total: 1, used: 1 }, load: 0.2, workloads: [], capabilities: {} });
    expect(receipt.node).toBe("edge9");
    expect((await scheduler.node("edge9")).report).toMatchObject({ load: 0.2 });
    await scheduler.removeNode("edge9");
    expect((await scheduler.nodes()).map((n) => n.name)).not.toContain("edge9");
  });
});
