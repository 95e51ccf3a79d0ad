import { describe, expect, it } from "vitest";
import { devicesFromTrace } from "../../../../src/devices/trace.js";

const line = (o: object) => JSON.stringify(o);
const req = (id: string, at?: number) => ({ id, device: `cam-${id}`, workload: "detect", inputClass: "small", delayBudgetMs: 300, ...(at === undefined ? {} : { at }) });

describe("devices from a trace", () => {
  it("makes one device per request line, from its at until the trace time of its release, within the duration", () => {
    const text = [line(req("r1", 0)), line(req("r2", 2)), line({ release: "r1" }), line({ ...req("r3", 5), priority: 2 }), line({ release: "r2" }), line(req("r4", 50))].join("\n");
    const specs = devicesFromTrace(text, "t.jsonl", 30_000);
    expect(specs.map((s) => [s.id, s.task.id, s.startMs, s.stopMs])).toEqual([
      ["cam-r1", "r1", 0, 2000],
      ["cam-r2", "r2", 2000, 5000],
      ["cam-r3", "r3", 5000, 30_000],
    ]);
    expect(specs[2]!.task).toEqual({ id: "r3", workload: "detect", inputClass: "small", delayBudgetMs: 300, priority: 2 });
  });

  it("runs devices released before the trace's clock moves until the duration (traces without at)", () => {
    const specs = devicesFromTrace([line(req("a")), line({ release: "a" })].join("\n"), "t.jsonl", 10_000);
    expect(specs.map((s) => [s.startMs, s.stopMs])).toEqual([[0, 10_000]]);
  });

  it("names the file and line of a bad line", () => {
    expect(() => devicesFromTrace("{", "t.jsonl", 1000)).toThrow(/^t\.jsonl:1: not valid JSON/);
    expect(() => devicesFromTrace(`\n${line({ release: "x" })}`, "t.jsonl", 1000)).toThrow("t.jsonl:2: release of 'x', which no earlier line requests");
    expect(() => devicesFromTrace(line({ ...req("a"), delayBudgetMs: -1 }), "t.jsonl", 1000)).toThrow("t.jsonl:1: delayBudgetMs must be a positive number");
    expect(() => devicesFromTrace(line({ ...req("a"), color: 1 }), "t.jsonl", 1000)).toThrow("unknown field 'color'");
    expect(() => devicesFromTrace([line(req("a")), line(req("a"))].join("\n"), "t.jsonl", 1000)).toThrow("t.jsonl:2: request 'a' appears twice");
    expect(() => devicesFromTrace(line(req("a", 5)), "t.jsonl", 1000)).toThrow("no request starts within the run's duration");
  });
});
