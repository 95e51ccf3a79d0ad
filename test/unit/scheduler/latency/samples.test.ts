// The samples CSV parser: columns by name, blank and comment lines, every bad
// input named by file, line and column; and as real CSV (csv-parse): quoted
// fields, a BOM, CRLF line ends, errors still at the field's line and column.
import { describe, expect, it } from "vitest";
import { formatSamplesCsv, parseSamplesCsv, SampleError } from "../../../../scheduler/latency/samples.js";

const HEADER = "workload,inputClass,cpuShare,latencyMs";

function errorOf(text: string): SampleError {
  try {
    parseSamplesCsv(text, "s.csv");
  } catch (err) {
    if (err instanceof SampleError) return err;
    throw err;
  }
  throw new Error("expected a SampleError");
}

function where(text: string): string {
  const e = errorOf(text);
  return `${e.file}:${e.line}:${e.column}: ${e.reason}`;
}

describe("parseSamplesCsv reads real CSV", () => {
  it("unquotes fields, keeping commas and doubled quotes inside them", () => {
    const text = `${HEADER}\n"detect, v2","the ""small"" one","0.5", "120.5"\n`;
    expect(parseSamplesCsv(text, "s.csv")).toEqual([
      { workload: "detect, v2", inputClass: 'the "small" one', cpuShare: 0.5, latencyMs: 120.5, line: 2 },
    ]);
  });

  it("ignores a leading byte order mark, which would otherwise rename the first column", () => {
    const text = `\uFEFF${HEADER}\ndetect,small,1,14.5\n`;
    expect(parseSamplesCsv(text, "s.csv")).toEqual([{ workload: "detect", inputClass: "small", cpuShare: 1, latencyMs: 14.5, line: 2 }]);
  });

  it("reads CRLF files, with line numbers that count each CRLF once, also inside quoted fields", () => {
    const text = `# c\r\n${HEADER}\r\n"multi\r\nline",small,1,14.5\r\n\r\ndetect,small,0.5,29\r\n`;
    expect(parseSamplesCsv(text, "s.csv").map((s) => [s.workload, s.line])).toEqual([
      ["multi\nline", 3],
      ["detect", 6],
    ]);
  });

  it("names a record that spans lines by its first line", () => {
    expect(where(`${HEADER}\ndetect,"small\nor large",abc,5\n`)).toBe("s.csv:2:3: cpuShare must be a positive number, got 'abc'");
  });
});

describe("parseSamplesCsv errors keep FILE:LINE:COLUMN", () => {
  it("after a BOM and CRLF line ends", () => {
    expect(where(`\uFEFF${HEADER}\r\ndetect,small,1,5\r\ndetect,small,1,-5\r\n`)).toBe(
      "s.csv:3:4: latencyMs must be a positive number, got '-5'",
    );
  });

  it("after a quoted field with line ends in it", () => {
    expect(where(`${HEADER}\n"a\nb\nc",small,1,5\n\ndetect,small,1\n`)).toBe("s.csv:6:4: expected 4 fields like the header, got 3");
  });

  it("for a quote that is never closed, at the line the field opens", () => {
    expect(where(`${HEADER}\ndetect,small,1,5\n# comment\n\ndetect,"small,1,5\ndetect,small,1,5\n`)).toBe(
      "s.csv:5:2: quoted field is not closed",
    );
  });

  it("for a quote inside an unquoted field", () => {
    expect(where(`${HEADER}\ndetect,sm"all,1,5\n`)).toMatch(/^s\.csv:2:2: a quote inside an unquoted field/);
  });

  it("for text after a closing quote", () => {
    expect(where(`${HEADER}\r\ndetect,small,1,5\r\n"detect"x,small,1,5\r\n`)).toMatch(/^s\.csv:3:1: text after a closing quote/);
  });

  it("for a quoted empty field", () => {
    expect(where(`${HEADER}\ndetect,"",1,5\n`)).toBe("s.csv:2:2: inputClass is empty");
  });
});

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
