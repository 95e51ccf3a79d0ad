// The devices view model: a point per reported batch against the budget,
// migrations marked at their start and end, bounded in size.
import { describe, expect, it } from "vitest";
import type { TaskLatencyView } from "../../../../../src/api-types/scheduler.js";
import type { SchedulerUiEvent } from "../../../../../scheduler/ui/state/events.js";
import { applyDeviceEvent, chartDomain, deviceList, emptyDevices, MAX_POINTS, withMoves, withTask } from "../../../../../scheduler/ui/state/devices-state.js";

const view: TaskLatencyView = {
  task: "t-1",
  model: "detect/small",
  node: "edge1",
  cpuShare: 0.5,
  delayBudgetMs: 300,
  predicted: { processingMs: 100, e2eMs: 110 },
  measured: { samples: 2, window: 2, e2eMs: { p50: 120, p95: 400 }, processingMs: { p50: 100, p95: 390 }, missRate: 0.5 },
  modelSource: "profile",
};
const batch = (toMs: number, max = 150): SchedulerUiEvent => ({ type: "task.latency", task: "t-1", device: "cam-1", batch: { count: 3, fromMs: toMs - 100, toMs, p50: 120, p95: max, max, late: max > 300 ? 1 : 0 }, latency: view, at: "t" });

describe("devices view model", () => {
  it("each batch is a point in time order; budget and prediction come with it", () => {
    let s = withTask(emptyDevices(), { device: "cam-1", task: "t-1", budgetMs: 300, predictedMs: 110, node: "edge1" });
    s = applyDeviceEvent(s, batch(2000));
    s = applyDeviceEvent(s, batch(1000, 500));
    const d = deviceList(s)[0]!;
    expect(d.points.map((p) => p.at)).toEqual([1000, 2000]);
    expect(d).toMatchObject({ budgetMs: 300, predictedMs: 110, node: "edge1" });
    const domain = chartDomain(d);
    expect([domain.t0, domain.t1]).toEqual([1000, 2000]);
    expect(domain.yMax, "10 % above the highest max").toBeCloseTo(550);
  });

  it("a move's start and end are marked once each; COMPLETED moves the device's task", () => {
    let s = withTask(emptyDevices(), { device: "cam-1", task: "t-1", budgetMs: 300, predictedMs: 110, node: "edge1" });
    const tr = (state: string, at: string): SchedulerUiEvent => ({ type: "migration.transition", migration: "m-1", task: "t-1", from: "edge1", to: "cloud1", previous: null, state, at }) as SchedulerUiEvent;
    s = applyDeviceEvent(s, tr("PENDING", "2026-12-02T10:00:00.000Z"));
    s = applyDeviceEvent(s, tr("EXECUTION", "2026-12-02T10:00:01.000Z"));
    s = applyDeviceEvent(s, tr("COMPLETED", "2026-12-02T10:00:02.000Z"));
    s = applyDeviceEvent(s, tr("COMPLETED", "2026-12-02T10:00:02.000Z"));
    const d = s.get("cam-1")!;
    expect(d.marks.map((m) => m.state)).toEqual(["PENDING", "COMPLETED"]);
    expect(d.node).toBe("cloud1");
  });

  it("earlier moves read at load are marked; a batch of an unknown device starts its series", () => {
    let s = withTask(emptyDevices(), { device: "cam-1", task: "t-1", budgetMs: 300, predictedMs: 110, node: "cloud1" });
    s = withMoves(s, [
      {
        id: "m-1",
        task: { id: "t-1", device: "cam-1", workload: "detect", inputClass: "small", delayBudgetMs: 300 },
        from: "edge1",
        to: "cloud1",
        cpuShare: 0.5,
        status: "done",
        requestedAt: "2026-12-02T10:00:00.000Z",
        timeline: [
          { at: "2026-12-02T10:00:00.000Z", state: "PENDING", component: "MigrationManager", message: "" },
          { at: "2026-12-02T10:00:01.000Z", state: "PLANNING", component: "MigrationManager", message: "" },
          { at: "2026-12-02T10:00:03.000Z", state: "COMPLETED", component: "MigrationManager", message: "" },
        ],
      },
    ]);
    expect(s.get("cam-1")!.marks.map((m) => [m.state, m.at])).toEqual([
      ["PENDING", Date.parse("2026-12-02T10:00:00.000Z")],
      ["COMPLETED", Date.parse("2026-12-02T10:00:03.000Z")],
    ]);
    const fresh = applyDeviceEvent(emptyDevices(), batch(5));
    expect(fresh.get("cam-1")).toMatchObject({ task: "t-1", budgetMs: 300, points: [{ at: 5 }] });
  });

  it("keeps the most recent points only", () => {
    let s = emptyDevices();
    for (let i = 0; i < MAX_POINTS + 10; i++) s = applyDeviceEvent(s, batch(i));
    const points = s.get("cam-1")!.points;
    expect(points.length).toBe(MAX_POINTS);
    expect(points[0]!.at).toBe(10);
  });
});
