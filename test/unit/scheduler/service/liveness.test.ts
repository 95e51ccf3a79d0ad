import { describe, expect, it } from "vitest";
import { CLOUD, EDGE, LOOSE, makeApp } from "./helpers.js";

describe("nodes that stop reporting", () => {
  it("mark their tasks unavailable (event and API field) and available again on the next report", async () => {
    let t = Date.parse("2026-01-01T00:00:00Z");
    const app = await makeApp([EDGE, CLOUD], { now: () => new Date(t), reportTimeoutMs: 15_000 });
    const events: Array<{ type: string }> = [];
    app.scheduler.events.subscribe((e) => events.push(e));
    await app.inject({ method: "POST", url: "/v1/tasks", payload: LOOSE });
    await app.inject({ method: "PUT", url: "/v1/nodes/edge1/report", payload: { cpu: { usage: 0.1, cores: 1 } } });
    const liveness = app.scheduler.liveness as unknown as { check(): void };
    t += 15_000;
    liveness.check();
    expect(events.filter((e) => e.type.startsWith("task."))).toEqual([]);
    t += 1;
    liveness.check();
    expect(events.filter((e) => e.type.startsWith("task."))).toEqual([
      expect.objectContaining({ type: "task.unavailable", task: "t-1", node: "edge1", lastReportAt: "2026-01-01T00:00:00.000Z" }),
    ]);
    expect((await app.inject({ method: "GET", url: "/v1/tasks/t-1" })).json().unavailable).toBe(true);
    await app.inject({ method: "PUT", url: "/v1/nodes/edge1/report", payload: { cpu: { usage: 0.1, cores: 1 } } });
    liveness.check();
    expect(events.at(-1)).toMatchObject({ type: "task.available", task: "t-1" });
    expect((await app.inject({ method: "GET", url: "/v1/tasks/t-1" })).json().unavailable).toBe(false);
    await app.close();
  });
});
