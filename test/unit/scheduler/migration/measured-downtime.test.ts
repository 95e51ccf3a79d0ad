// The service's downtime model: per workload, the medians of the agents' measured frozen
// times and moved bytes over completed moves; rebuilt from the records at most once a refresh.
import { describe, expect, it } from "vitest";
import type { MoveRecord } from "../../../../src/api-types/scheduler.js";
import { downtimeByWorkload, measuredDowntime } from "../../../../scheduler/migration/measured-downtime.js";

function record(workload: string, status: MoveRecord["status"], frozenMs: number | null, bytes: [number | null, number | null] = [null, null]): MoveRecord {
  return {
    task: { id: "t", device: "d", workload, inputClass: "x", delayBudgetMs: 100 },
    status,
    metrics: { frozenMs, bytesBeforeResume: bytes[0], bytesAfterResume: bytes[1] },
  } as unknown as MoveRecord;
}

const MiB = 1024 * 1024;

describe("measured downtime", () => {
  it("takes per workload the median of completed, measured moves", () => {
    const table = downtimeByWorkload([
      record("detect", "done", 300, [100 * MiB, 0]),
      record("detect", "done", 500, [200 * MiB, 20 * MiB]),
      record("detect", "done", 900, [300 * MiB, null]),
      record("detect", "failed", 5, [1, 1]),
      record("detect", "running", 1, [1, 1]),
      record("classify", "done", 120),
      record("classify", "done", 80),
      record("transcode", "done", null, [MiB, MiB]),
    ]);
    expect(table).toEqual({ detect: { frozenMs: 500, workingSetMiB: 220 }, classify: { frozenMs: 100 } });
  });

  it("answers from records no older than the refresh, and nothing for unmeasured workloads", () => {
    const records: MoveRecord[] = [record("detect", "done", 400)];
    let t = 0;
    const model = measuredDowntime(() => records, () => t, 1000);
    const req = { id: "r", device: "d", workload: "detect", inputClass: "x", delayBudgetMs: 100 };
    expect(model.estimate(req)).toEqual({ frozenMs: 400 });
    records.push(record("detect", "done", 800), record("detect", "done", 900));
    t = 999;
    expect(model.estimate(req)).toEqual({ frozenMs: 400 });
    t = 1000;
    expect(model.estimate(req)).toEqual({ frozenMs: 800 });
    expect(model.estimate({ ...req, workload: "other" })).toBeUndefined();
  });
});
