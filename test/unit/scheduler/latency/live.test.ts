// LiveLatency: bounded per-task and per-class windows of measured latency, and
// which samples reach the drift tracker (not while a move is in flight, nor
// from before a share change was seen).
import { describe, expect, it } from "vitest";
import { LiveLatency, type TaskNow } from "../../../../scheduler/latency/live.js";

const MODEL = { kind: "exponential" as const, a: 900, b: -2.1, r2: 0.95 };
const task: TaskNow = { id: "t-1", seq: 1, key: "detect/small", node: "e1", cpuShare: 0.5, netDelayMs: 5, delayBudgetMs: 400, moving: false };
const live = (window = 8) => new LiveLatency((key) => (key === "detect/small" ? MODEL : undefined), { window });

describe("LiveLatency", () => {
  it("keeps a bounded window per task: percentiles and miss rate of the most recent samples", () => {
    const l = live(8);
    // 12 samples: the first 4 (late, 1000 ms) fall out of the 8-sample window.
    const samples = [...Array.from({ length: 4 }, (_, i) => ({ at: i, e2eMs: 1000 })), ...Array.from({ length: 8 }, (_, i) => ({ at: 10 + i, e2eMs: 100 + 10 * i, processingMs: 90 }))];
    expect(l.ingest(task, samples, 0)).toMatchObject({ accepted: 12, modelled: 12 });
    const v = l.taskView(task);
    expect(v.measured).toEqual({ samples: 12, window: 8, e2eMs: { p50: 130, p95: 170 }, processingMs: { p50: 90, p95: 90 }, missRate: 0 });
    expect(v.predicted.processingMs).toBeCloseTo(900 * Math.exp(-1.05), 6);
    expect(v.predicted.e2eMs).toBeCloseTo(v.predicted.processingMs + 5, 6);
    expect(v.modelSource).toBe("profile");
  });

  it("counts late answers in the miss rate", () => {
    const l = live(8);
    l.ingest(task, [{ at: 1, e2eMs: 500 }, { at: 2, e2eMs: 100 }, { at: 3, e2eMs: 401 }, { at: 4, e2eMs: 400 }], 0);
    expect(l.taskView(task).measured.missRate).toBe(0.5);
  });

  it("keeps one window per class over its tasks, and reports the class's model, R² and measured error", () => {
    const l = live(4);
    l.ingest(task, [{ at: 1, e2eMs: 320, processingMs: 315 }], 0);
    l.ingest({ ...task, id: "t-2", seq: 2, cpuShare: 0.9 }, [{ at: 1, e2eMs: 141, processingMs: 136 }], 0);
    const c = l.classView("detect/small")!;
    expect(c).toMatchObject({ kind: "exponential", a: 900, b: -2.1, source: "profile", r2: 0.95, samples: 2, refits: 0 });
    expect(c.processingMs).toEqual({ p50: 136, p95: 315 });
    expect(c.measuredError!).toBeLessThan(0.01);
    expect(l.classView("other/x")).toBeUndefined();
  });

  it("takes the network delay off end-to-end latency when the workload gives no processing time", () => {
    const l = live();
    l.ingest(task, [{ at: 1, e2eMs: 900 * Math.exp(-1.05) + 5 }], 0);
    expect(l.classView("detect/small")!.measuredError!).toBeLessThan(1e-9);
  });

  it("models no sample while the task moves, nor one sent before its share was seen to change", () => {
    const l = live();
    expect(l.ingest(task, [{ at: 1, e2eMs: 320 }], 1000).modelled).toBe(1);
    expect(l.ingest({ ...task, moving: true }, [{ at: 1500, e2eMs: 5000 }], 2000)).toMatchObject({ accepted: 1, modelled: 0 });
    // Moved to another share: samples sent before 3000 ran elsewhere or while frozen.
    const moved = { ...task, node: "c1", cpuShare: 0.7 };
    expect(l.ingest(moved, [{ at: 2500, e2eMs: 5000 }, { at: 3100, e2eMs: 260 }], 3000).modelled).toBe(1);
    expect(l.taskView(moved).measured.samples).toBe(4);
  });

  it("starts a task over when its id is placed anew, and forgets released tasks", () => {
    const l = live();
    l.ingest(task, [{ at: 1, e2eMs: 320 }], 0);
    l.ingest({ ...task, seq: 7 }, [{ at: 2, e2eMs: 100 }], 0);
    expect(l.taskView({ ...task, seq: 7 }).measured.samples).toBe(1);
    l.prune(() => false);
    expect(l.taskView(task).measured.samples).toBe(0);
  });

  it("gives a profile without an R² a null R² (a refit then only has to beat 0)", () => {
    const l = new LiveLatency(() => ({ kind: "power", a: 100, b: -1 }));
    expect(l.classView("any/x")).toMatchObject({ source: "profile", r2: null });
    expect(l.serving("any/x")?.r2).toBe(0);
  });
});
