// One device against an in-process fake scheduler and a real HTTP server on
// 127.0.0.1 playing the workload: what it measures, counts and releases.
import { performance } from "node:perf_hooks";
import { afterEach, describe, expect, it } from "vitest";
import { SchedulerClient } from "../../../../src/clients/scheduler.js";
import { type DeviceResult, type DeviceSpec, runDevice } from "../../../../src/devices/device.js";
import { requestStats } from "../../../../src/devices/stats.js";
import { type FakePlacement, type FakeScheduler, startFakeScheduler } from "../../../helpers/fake-scheduler.js";
import { type FakeWorkload, type Misbehaviour, startFakeWorkload } from "../../../helpers/fake-workload.js";

let scheduler: FakeScheduler | undefined;
let workload: FakeWorkload | undefined;
afterEach(async () => {
  await scheduler?.close();
  await workload?.close();
  scheduler = workload = undefined;
});

const spec = (over: Partial<DeviceSpec> = {}): DeviceSpec => ({
  id: "iot-1",
  site: "edge-a",
  task: { workload: "detect", inputClass: "small", delayBudgetMs: 200 },
  startMs: 0,
  stopMs: 1000,
  ...over,
});

async function run(misbehaviour: Record<number, Misbehaviour>, opts: { placement?: (port: number) => FakePlacement; keep?: boolean; stopMs?: number; timeoutMs?: number } = {}): Promise<DeviceResult> {
  workload = await startFakeWorkload(misbehaviour);
  const port = workload.port;
  scheduler = await startFakeScheduler(opts.placement?.(port) ?? { kind: "placed", serviceIp: "127.0.0.1", port });
  const start = performance.now();
  return runDevice(spec({ stopMs: opts.stopMs ?? 1000 }), {
    scheduler: new SchedulerClient(scheduler.url),
    rate: 20,
    requestTimeoutMs: opts.timeoutMs ?? 2000,
    keep: opts.keep ?? false,
    clock: () => performance.now() - start,
  });
}

const ran = (r: DeviceResult) => {
  if (r.status !== "ran") throw new Error(`device did not run: ${JSON.stringify(r)}`);
  return r;
};

describe("a device", () => {
  it("registers, submits its task, sends its requests over one connection and releases the task", async () => {
    const r = ran(await run({}));
    expect(scheduler!.registered).toEqual([{ id: "iot-1", site: "edge-a" }]);
    expect(scheduler!.submitted).toEqual([{ device: "iot-1", workload: "detect", inputClass: "small", delayBudgetMs: 200 }]);
    expect(r.outcomes.length).toBeGreaterThan(5);
    expect(r.outcomes.every((o) => o.ok)).toBe(true);
    expect(workload!.paths.every((p) => p === "/process?size=small")).toBe(true);
    expect(workload!.paths).toHaveLength(r.outcomes.length);
    expect(r.connections).toBe(1);
    expect(workload!.connections).toBe(1);
    expect(scheduler!.released).toEqual([r.task]);
    expect(r.released).toBe(true);
    const stats = requestStats(r.outcomes, r.budgetMs);
    expect(stats.answered).toBe(stats.requests);
    expect(stats.latencyMs.p99).not.toBeNull();
  });

  it("measures a 500 ms pause of the workload as the longest gap between answers", async () => {
    const r = ran(await run({ 5: "pause" }, { stopMs: 1500 }));
    const stats = requestStats(r.outcomes, r.budgetMs);
    expect(stats.errors).toEqual({ reset: 0, timeout: 0, http: 0, connect: 0 });
    expect(stats.longestGapMs).toBeGreaterThanOrEqual(490);
    expect(stats.longestGapMs).toBeLessThan(1000);
    expect(stats.latencyMs.max).toBeGreaterThanOrEqual(490);
    expect(stats.deadlineMisses).toBe(1); // the paused answer, over the 200 ms budget
  });

  it("counts a reset connection as a reset, not retried, and goes on over a new connection", async () => {
    const r = ran(await run({ 3: "reset" }));
    const stats = requestStats(r.outcomes, r.budgetMs);
    expect(stats.errors.reset).toBe(1);
    expect(stats.answered).toBe(stats.requests - 1);
    expect(r.outcomes[2]).toMatchObject({ ok: false, kind: "reset" });
    // The failed request was sent once: the server saw exactly as many requests as the device counted.
    expect(workload!.paths).toHaveLength(r.outcomes.length);
    expect(r.connections).toBe(2);
  });

  it("counts an HTTP error and a timeout apart", async () => {
    const r = ran(await run({ 2: "http-500", 4: "silent" }, { timeoutMs: 300, stopMs: 1200 }));
    const stats = requestStats(r.outcomes, r.budgetMs);
    expect(stats.errors).toEqual({ reset: 0, timeout: 1, http: 1, connect: 0 });
    expect(r.outcomes[1]).toMatchObject({ ok: false, kind: "http", detail: "HTTP 500" });
    expect(r.outcomes[3]).toMatchObject({ ok: false, kind: "timeout" });
    expect(stats.deadlineMisses).toBeGreaterThanOrEqual(2);
  });

  it("counts requests that find no server as connect errors", async () => {
    const r = ran(await run({}, { placement: () => ({ kind: "placed", serviceIp: "127.0.0.1", port: 1 }), stopMs: 300 }));
    const stats = requestStats(r.outcomes, r.budgetMs);
    expect(stats.requests).toBeGreaterThan(0);
    expect(stats.errors.connect).toBe(stats.requests);
    expect(stats.missRate).toBe(1);
  });

  it("reports a refused task with the scheduler's reason and sends nothing", async () => {
    const r = await run({}, { placement: () => ({ kind: "refused", reason: "no node can meet the delay budget" }) });
    expect(r).toMatchObject({ status: "refused", device: "iot-1", reason: "no node can meet the delay budget" });
    expect(workload!.paths).toEqual([]);
    expect(scheduler!.released).toEqual([]);
  });

  it("reports a task placed without a service IP (no agents) and releases it", async () => {
    const r = await run({}, { placement: () => ({ kind: "placed", serviceIp: null, port: null }) });
    expect(r).toMatchObject({ status: "no-service-ip", node: "edge1", released: true });
    expect(workload!.paths).toEqual([]);
    expect(scheduler!.released).toHaveLength(1);
  });

  it("keeps its task placed with keep", async () => {
    const r = ran(await run({}, { keep: true, stopMs: 200 }));
    expect(r.released).toBe(false);
    expect(scheduler!.released).toEqual([]);
  });
});
