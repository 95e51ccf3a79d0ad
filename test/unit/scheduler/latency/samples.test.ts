// The samples CSV parser: columns by name, blank and comment lines, and every
// bad input named by file, line and column.
import { describe, expect, it } from "vitest";
import { formatSamplesCsv, parseSamplesCsv, SampleError } from "../../../../src/latency/samples.js";

function errorOf(text: string): SampleError {
  try {
    parseSamplesCsv(text, "s.csv");
  } catch (err) {
    if (err instanceof SampleError) return err;
    throw err;
  }
  throw new Error("expected a SampleError");
}

describe("parseSamplesCsv", () => {
  it("reads columns by name in any order, skipping blank and # lines, with CRLF", () => {
    const text = "# produced by hand\r\nlatencyMs,cpuShare,inputClass,workload,extra\r\n\r\n120.5,0.5,small,detect,x\r\n# note\r\n60,1,small,detect,y\r\n";
    expect(parseSamplesCsv(text, "s.csv")).toEqual([
      { workload: "detect", inputClass: "small", cpuShare: 0.5, latencyMs: 120.5, line: 4 },
      { workload: "detect", inputClass: "small", cpuShare: 1, latencyMs: 60, line: 6 },
    ]);
  });

  it("reads back what formatSamplesCsv writes", () => {
    const samples = [
      { workload: "detect", inputClass: "large", cpuShare: 0.2, latencyMs: 1101.25 },
      { workload: "detect", inputClass: "small", cpuShare: 1, latencyMs: 14.5 },
    ];
    const parsed = parseSamplesCsv(formatSamplesCsv(samples, ["a comment"]), "s.csv");
    expect(parsed.map(({ line: _line, ...s }) => s)).toEqual(samples);
    expect(parsed.map((s) => s.line)).toEqual([3, 4]);
  });

  it.each([
    ["a non-number share", "workload,inputClass,cpuShare,latencyMs\nd,s,1,5\nd,s,abc,5\n", 3, 3, "cpuShare must be a positive number, got 'abc'"],
    ["a negative share", "workload,inputClass,cpuShare,latencyMs\nd,s,-0.5,5\n", 2, 3, "cpuShare must be a positive number, got '-0.5'"],
    ["a zero share", "workload,inputClass,cpuShare,latencyMs\nd,s,0,5\n", 2, 3, "cpuShare must be a positive number, got '0'"],
    ["a partly numeric latency", "workload,inputClass,cpuShare,latencyMs\nd,s,1,5ms\n", 2, 4, "latencyMs must be a positive number, got '5ms'"],
    ["an empty latency", "cpuShare,latencyMs,workload,inputClass\n1,,d,s\n", 2, 2, "latencyMs must be a positive number, got ''"],
    ["a missing column", "workload,inputClass,latencyMs\nd,s,5\n", 1, 4, "missing column 'cpuShare'"],
    ["a duplicate column", "workload,workload,inputClass,cpuShare,latencyMs\n", 1, 2, "duplicate column 'workload'"],
    ["a short row", "workload,inputClass,cpuShare,latencyMs\n\nd,s,1\n", 3, 4, "expected 4 fields like the header, got 3"],
    ["an empty workload", "workload,inputClass,cpuShare,latencyMs\n,s,1,5\n", 2, 1, "workload is empty"],
    ["no header at all", "\n# only a comment\n", 1, 1, "missing header row"],
  ])("rejects %s with line and column", (_what, text, line, column, reason) => {
    const err = errorOf(text);
    expect({ file: err.file, line: err.line, column: err.column }).toEqual({ file: "s.csv", line, column });
    expect(err.message).toContain(`s.csv:${line}:${column}: ${reason}`);
  });
});
