// POST /v1/tasks/:id/samples and GET /v1/tasks/:id/latency, and the wiring to
// drift: a class whose real latency doubles (simulated samples at each task's
// share, as when a CPU limit is halved behind the scheduler's back) is refitted
// and the new model serves new decisions; a noisy spell shorter than the window
// is not; a refit worse than the profile is kept out.
import { afterEach, describe, expect, it } from "vitest";
import { predictLatencyMs } from "../../../../src/latency/model.js";
import { between, seededRng } from "../../../../src/random.js";
import type { SchedulerApp } from "../../../../scheduler/service/app.js";
import { createPolicy } from "../../../../scheduler/placement/policies.js";
import type { NodeSpec } from "../../../../scheduler/placement/types.js";
import { buildSchedulerApp } from "../../../../scheduler/service/app.js";
import { MemoryStateStore } from "../../../../scheduler/state/store.js";
import { makeApp, snapshot } from "./helpers.js";

const TRUTH = { kind: "exponential" as const, a: 900, b: -2.1 };
/** A node without agent: placements only, no workloads. */
const BIG: NodeSpec = { name: "big", tier: "edge", cpus: 16, netDelayMs: 5 };
/** Budgets that give the four tasks four different shares (about 0.3, 0.5, 0.7, 0.9). */
const BUDGETS = [484, 320, 212, 141];
const T0 = Date.parse("2026-03-01T12:00:00Z");

let app: SchedulerApp;
afterEach(() => app?.close());

async function driftApp(profileR2: number, stateStore = new MemoryStateStore()) {
  // A fresh table: a refit must not leak into other tests' models.
  const models = { "detect/small": { ...TRUTH, r2: profileR2 } };
  app = await buildSchedulerApp({ policy: createPolicy("delay-aware", { nodes: [BIG], models }), models, now: () => new Date(T0), stateStore });
  const events: Array<{ type: string; [k: string]: unknown }> = [];
  app.scheduler.events.subscribe((e) => events.push(e as never));
  const tasks: Array<{ id: string; share: number }> = [];
  for (const [i, budget] of BUDGETS.entries()) {
    const res = await app.inject({ method: "POST", url: "/v1/tasks", payload: { id: `t-${i + 1}`, device: `cam-${i + 1}`, workload: "detect", inputClass: "small", delayBudgetMs: budget } });
    expect(res.statusCode).toBe(201);
    tasks.push({ id: `t-${i + 1}`, share: res.json().cpuShare });
  }
  return { tasks, events };
}

/** `rounds` rounds of one 2-sample batch per task; latency(share, rng) is what each request really took to process. */
async function feed(tasks: Array<{ id: string; share: number }>, rounds: number, latency: (share: number) => number) {
  for (let r = 0; r < rounds; r++) {
    for (const t of tasks) {
      const samples = [0, 1].map((k) => {
        const processingMs = latency(t.share);
        return { at: T0 + r * 10 + k, e2eMs: processingMs + 5, processingMs };
      });
      const res = await app.inject({ method: "POST", url: `/v1/tasks/${t.id}/samples`, payload: { samples } });
      expect(res.statusCode, res.body).toBe(202);
    }
  }
}

const models = async () => (await app.inject({ method: "GET", url: "/v1/models" })).json();

describe("POST /v1/tasks/:id/samples", () => {
  it("answers 404 for an unknown task and 400 for a bad batch, changing nothing", async () => {
    app = await makeApp();
    const before = await snapshot(app);
    const unknown = await app.inject({ method: "POST", url: "/v1/tasks/t-9/samples", payload: { samples: [{ at: T0, e2eMs: 10 }] } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toBe("no task 't-9'");
    expect((await app.inject({ method: "GET", url: "/v1/tasks/t-9/latency" })).statusCode).toBe(404);
    const bad = [
      { samples: [{ at: T0, e2eMs: -1 }] },
      { samples: [{ at: T0 }] },
      { samples: [{ at: T0, e2eMs: 1, cpu: 2 }] },
      { samples: Array.from({ length: 1001 }, () => ({ at: T0, e2eMs: 1 })) },
      { sample: [] },
    ];
    for (const payload of bad) {
      const res = await app.inject({ method: "POST", url: "/v1/tasks/t-9/samples", payload });
      expect(res.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(400);
      expect(res.json().code).toBe("VALIDATION_FAILED");
    }
    expect(await snapshot(app)).toEqual(before);
    expect((await models())["detect/small"].samples).toBe(0);
  });

  it("shows a task's predicted against measured latency and its deadline-miss rate", async () => {
    const { tasks } = await driftApp(0.95);
    const t = tasks[1]!;
    const res = await app.inject({
      method: "POST",
      url: `/v1/tasks/${t.id}/samples`,
      payload: { samples: [{ at: T0, e2eMs: 300, processingMs: 290 }, { at: T0 + 1, e2eMs: 330, processingMs: 320 }, { at: T0 + 2, e2eMs: 310 }] },
    });
    expect(res.json()).toEqual({ task: t.id, accepted: 3, modelled: 3 });
    const view = (await app.inject({ method: "GET", url: `/v1/tasks/${t.id}/latency` })).json();
    expect(view).toMatchObject({ task: t.id, model: "detect/small", node: "big", cpuShare: t.share, delayBudgetMs: 320, modelSource: "profile" });
    expect(view.predicted.processingMs).toBeCloseTo(predictLatencyMs(TRUTH, t.share), 6);
    expect(view.predicted.e2eMs).toBeCloseTo(view.predicted.processingMs + 5, 6);
    expect(view.measured).toEqual({ samples: 3, window: 3, e2eMs: { p50: 310, p95: 330 }, processingMs: { p50: 290, p95: 320 }, missRate: 1 / 3 });
  });
});

describe("drift, wired", () => {
  it("refits a class whose real latency doubled, serves the live model to new decisions, and says so", async () => {
    const { tasks, events } = await driftApp(0.9);
    const rng = seededRng(3);
    await feed(tasks, 10, (s) => predictLatencyMs(TRUTH, s) * between(rng, 0.95, 1.05));
    expect((await models())["detect/small"]).toMatchObject({ source: "profile", r2: 0.9, samples: 80 });
    const before = (await app.inject({ method: "POST", url: "/v1/tasks", payload: { device: "cam-9", workload: "detect", inputClass: "small", delayBudgetMs: 1000 } })).json();
    await feed(tasks, 10, (s) => 2 * predictLatencyMs(TRUTH, s) * between(rng, 0.95, 1.05));
    const m = (await models())["detect/small"];
    expect(m).toMatchObject({ source: "live", kind: "exponential", refits: 1 });
    expect(m.r2).toBeGreaterThan(0.9);
    expect(m.a / TRUTH.a).toBeGreaterThan(1.7);
    expect(m.a / TRUTH.a).toBeLessThan(2.3);
    expect(events.filter((e) => e.type === "latency.drift")).toEqual([expect.objectContaining({ model: "detect/small", outcome: "refitted" })]);
    expect(events.find((e) => e.type === "model.refitted")).toMatchObject({ model: "detect/small", from: { source: "profile", r2: 0.9 }, to: { source: "live" } });
    // The same budget now needs more CPU; the placed task keeps its share.
    const after = (await app.inject({ method: "POST", url: "/v1/tasks", payload: { device: "cam-9", workload: "detect", inputClass: "small", delayBudgetMs: 1000 } })).json();
    expect(after.cpuShare).toBeGreaterThan(before.cpuShare);
    expect((await app.inject({ method: "GET", url: `/v1/tasks/${before.task.id}` })).json().cpuShare).toBe(before.cpuShare);
    expect((await app.inject({ method: "GET", url: `/v1/tasks/${tasks[0]!.id}/latency` })).json().modelSource).toBe("live");
  });

  it("a refit outlives a restart: the next scheduler on the same state serves it, as live, to new decisions", async () => {
    const store = new MemoryStateStore();
    const { tasks } = await driftApp(0.9, store);
    const rng = seededRng(5);
    await feed(tasks, 20, (s) => 2 * predictLatencyMs(TRUTH, s) * between(rng, 0.95, 1.05));
    const refitted = (await models())["detect/small"];
    expect(refitted).toMatchObject({ source: "live", refits: 1 });
    const share = (await app.inject({ method: "POST", url: "/v1/tasks", payload: { device: "cam-8", workload: "detect", inputClass: "small", delayBudgetMs: 1000 } })).json().cpuShare;
    // A crash: the next process starts from the profile's table and the same state.
    const profile = { "detect/small": { ...TRUTH, r2: 0.9 } };
    app = await buildSchedulerApp({ policy: createPolicy("delay-aware", { nodes: [BIG], models: profile }), models: profile, now: () => new Date(T0), stateStore: store });
    const again = (await models())["detect/small"];
    expect(again).toMatchObject({ source: "live", kind: refitted.kind, a: refitted.a, b: refitted.b, r2: refitted.r2 });
    const next = (await app.inject({ method: "POST", url: "/v1/tasks", payload: { device: "cam-9", workload: "detect", inputClass: "small", delayBudgetMs: 1000 } })).json();
    expect(next.cpuShare).toBe(share);
  });

  it("does not refit for a noisy spell shorter than the window", async () => {
    const { tasks, events } = await driftApp(0.9);
    const rng = seededRng(4);
    const normal = (s: number) => predictLatencyMs(TRUTH, s) * between(rng, 0.95, 1.05);
    await feed(tasks, 5, normal);
    // 3 rounds x 4 tasks x 2 samples = 24 slow samples: fewer than the 32 of 40 that drift needs.
    await feed(tasks, 3, (s) => 2.5 * normal(s));
    await feed(tasks, 20, normal);
    expect((await models())["detect/small"]).toMatchObject({ source: "profile", refits: 0 });
    expect(events.filter((e) => e.type === "latency.drift" || e.type === "model.refitted")).toEqual([]);
  });

  it("keeps a refit worse than the serving model out", async () => {
    const { tasks, events } = await driftApp(0.9);
    const rng = seededRng(5);
    // Slow and unrelated to the share: out of band everywhere, and nothing a curve explains.
    await feed(tasks, 10, () => between(rng, 1000, 2000));
    const m = (await models())["detect/small"];
    expect(m).toMatchObject({ source: "profile", r2: 0.9, a: TRUTH.a, b: TRUTH.b, refits: 0 });
    const drift = events.filter((e) => e.type === "latency.drift");
    expect(drift.length).toBeGreaterThan(0);
    for (const e of drift) expect(e).toMatchObject({ outcome: "refit-rejected", serving: { source: "profile", r2: 0.9 } });
    expect(events.filter((e) => e.type === "model.refitted")).toEqual([]);
  });
});
