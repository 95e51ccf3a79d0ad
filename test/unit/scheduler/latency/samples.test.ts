// The samples CSV as real CSV (csv-parse): quoted fields, a BOM, CRLF line
// ends, and errors that still name the file's line and the field's column.
import { describe, expect, it } from "vitest";
import { parseSamplesCsv, SampleError } from "../../../../scheduler/latency/samples.js";

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
