// The devices' latency reports against the fake scheduler: batched per task,
// bounded, with the workload's processingMs; a failed report is counted and
// never stops a device.
import { afterEach, describe, expect, it } from "vitest";
import { SchedulerClient } from "../../../../src/clients/scheduler.js";
import { runDevice } from "../../../../src/devices/device.js";
import { SampleReporter } from "../../../../src/devices/sample-reporter.js";
import { type FakeScheduler, startFakeScheduler } from "../../../helpers/fake-scheduler.js";
import { FAKE_PROCESSING_MS, type FakeWorkload, startFakeWorkload } from "../../../helpers/fake-workload.js";

let scheduler: FakeScheduler | undefined;
let workload: FakeWorkload | undefined;
afterEach(async () => {
  await scheduler?.close();
  await workload?.close();
  scheduler = workload = undefined;
});

const sample = (i: number) => ({ at: 1_700_000_000_000 + i, e2eMs: 10 + i });

describe("SampleReporter", () => {
  it("sends each task's samples in batches of at most 1000, in order", async () => {
    scheduler = await startFakeScheduler({ kind: "placed", serviceIp: null, port: null });
    const r = new SampleReporter(new SchedulerClient(scheduler.url));
    for (let i = 0; i < 2500; i++) r.add("t1", sample(i));
    r.add("t2", sample(0));
    await r.flush();
    expect(scheduler.samples.get("t1")?.map((s) => s.at - 1_700_000_000_000)).toEqual(Array.from({ length: 2500 }, (_, i) => i));
    expect(scheduler.samples.get("t2")).toHaveLength(1);
    expect(r.counts).toEqual({ reported: 2501, failedBatches: 0, lost: 0 });
    await r.flush();
    expect(r.counts.reported).toBe(2501);
  });

  it("keeps at most maxPending samples waiting, dropping the oldest", async () => {
    scheduler = await startFakeScheduler({ kind: "placed", serviceIp: null, port: null });
    const r = new SampleReporter(new SchedulerClient(scheduler.url), { maxPending: 10 });
    for (let i = 0; i < 25; i++) r.add("t1", sample(i));
    await r.flush();
    expect(scheduler.samples.get("t1")?.map((s) => s.e2eMs)).toEqual(Array.from({ length: 10 }, (_, i) => 25 + i));
    expect(r.counts).toEqual({ reported: 10, failedBatches: 0, lost: 15 });
  });

  it("counts failed reports and lost samples, and never throws", async () => {
    scheduler = await startFakeScheduler({ kind: "placed", serviceIp: null, port: null });
    scheduler.samplesStatus = 500;
    const r = new SampleReporter(new SchedulerClient(scheduler.url));
    r.add("t1", sample(1));
    r.add("t1", sample(2));
    await r.flush();
    expect(r.counts).toEqual({ reported: 0, failedBatches: 1, lost: 2 });
    await scheduler.close();
    r.add("t1", sample(3));
    await expect(r.stop()).resolves.toBeUndefined();
    expect(r.counts).toEqual({ reported: 0, failedBatches: 2, lost: 3 });
    scheduler = undefined;
  });
});

describe("a device reporting its samples", () => {
  it("reports each answered request with the workload's processingMs, before releasing its task", async () => {
    workload = await startFakeWorkload({ 2: "http-500" });
    scheduler = await startFakeScheduler({ kind: "placed", serviceIp: "127.0.0.1", port: workload.port });
    const client = new SchedulerClient(scheduler.url);
    const reporter = new SampleReporter(client, { everyMs: 60_000 });
    const start = Date.now();
    const result = await runDevice(
      { id: "iot-1", task: { workload: "detect", inputClass: "small", delayBudgetMs: 200 }, startMs: 0, stopMs: 400 },
      { scheduler: client, rate: 20, requestTimeoutMs: 1000, keep: false, clock: () => Date.now() - start, samples: reporter },
    );
    expect(result.status).toBe("ran");
    if (result.status !== "ran") return;
    const answered = result.outcomes.filter((o) => o.ok);
    expect(result.outcomes.length - answered.length).toBe(1);
    const sent = scheduler.samples.get(result.task) ?? [];
    expect(sent.map((s) => s.e2eMs)).toEqual(answered.map((o) => (o.ok ? o.latencyMs : -1)));
    for (const s of sent) {
      expect(s.processingMs).toBe(FAKE_PROCESSING_MS);
      expect(s.at).toBeGreaterThanOrEqual(start);
    }
    expect(reporter.counts).toMatchObject({ reported: answered.length, failedBatches: 0 });
    expect(scheduler.released).toEqual([result.task]);
  });

  it("runs on when the scheduler refuses its reports", async () => {
    workload = await startFakeWorkload();
    scheduler = await startFakeScheduler({ kind: "placed", serviceIp: "127.0.0.1", port: workload.port });
    scheduler.samplesStatus = 404;
    const client = new SchedulerClient(scheduler.url);
    const reporter = new SampleReporter(client, { everyMs: 50 });
    reporter.start();
    const start = Date.now();
    const result = await runDevice(
      { id: "iot-1", task: { workload: "detect", inputClass: "small", delayBudgetMs: 200 }, startMs: 0, stopMs: 300 },
      { scheduler: client, rate: 20, requestTimeoutMs: 1000, keep: false, clock: () => Date.now() - start, samples: reporter },
    );
    await reporter.stop();
    expect(result.status).toBe("ran");
    if (result.status !== "ran") return;
    expect(result.outcomes.every((o) => o.ok)).toBe(true);
    expect(reporter.counts.failedBatches).toBeGreaterThan(0);
    expect(reporter.counts.lost).toBe(result.outcomes.length);
    expect(reporter.counts.reported).toBe(0);
  });
});
