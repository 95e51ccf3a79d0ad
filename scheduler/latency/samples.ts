// Profiling samples: one measured latency of a workload class at a CPU share.
// Parses the samples CSV strictly, so that a bad file fails with FILE:LINE:COLUMN
// before anything is fitted or written.
import { CsvError, parse } from "csv-parse/sync";

export interface Sample {
  workload: string;
  inputClass: string;
  /** CPU share (cores) the workload ran with; > 0. */
  cpuShare: number;
  /** Measured latency in ms; > 0 (the models are fitted on its logarithm). */
  latencyMs: number;
  /** 1-based line of the sample in its file. */
  line: number;
}

/** Bad samples input: the message reads `FILE:LINE:COLUMN: what is wrong`. */
export class SampleError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}:${column}: ${reason}`);
    this.name = "SampleError";
  }
}

export const SAMPLE_COLUMNS = ["workload", "inputClass", "cpuShare", "latencyMs"] as const;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses `workload,inputClass,cpuShare,latencyMs` CSV with csv-parse (RFC 4180
 * quoting, a leading BOM, LF or CRLF line ends). A header row is required and
 * columns are found by name (any order; extra columns are ignored). Blank lines
 * and lines starting with `#` are skipped; spaces around unquoted fields are trimmed.
 * Lines are 1-based lines of the file (a record spanning lines is named by its
 * first), columns are 1-based field numbers.
 */
export function parseSamplesCsv(text: string, file: string): Sample[] {
  const rows = readRows(text, file);
  const first = rows[0];
  if (!first) throw new SampleError(file, 1, 1, `missing header row (expected ${SAMPLE_COLUMNS.join(",")})`);
  const header = first.fields;
  const index = columnIndexes(header, file, first.line);

  const samples: Sample[] = [];
  for (const { fields, line } of rows.slice(1)) {
    if (fields.length !== header.length) {
      const column = Math.min(fields.length, header.length) + 1;
      throw new SampleError(file, line, column, `expected ${header.length} fields like the header, got ${fields.length}`);
    }
    const text = (name: (typeof SAMPLE_COLUMNS)[number]): string => {
      const v = fields[index[name]]!;
      if (v === "") throw new SampleError(file, line, index[name] + 1, `${name} is empty`);
      return v;
    };
    const positive = (name: "cpuShare" | "latencyMs"): number => {
      const v = fields[index[name]]!;
      const n = NUMBER.test(v) ? Number(v) : Number.NaN;
      if (!(Number.isFinite(n) && n > 0)) {
        throw new SampleError(file, line, index[name] + 1, `${name} must be a positive number, got '${v}'`);
      }
      return n;
    };
    samples.push({
      workload: text("workload"),
      inputClass: text("inputClass"),
      cpuShare: positive("cpuShare"),
      latencyMs: positive("latencyMs"),
      line,
    });
  }
  return samples;
}

/** Renders samples as CSV that parseSamplesCsv reads back; `comments` become `#` lines on top. */
export function formatSamplesCsv<S extends Omit<Sample, "line">>(
  samples: S[],
  comments: string[] = [],
  /** Numeric columns after the four the parser reads (it ignores them): e.g. the profiler's raw latency. */
  extra: Record<string, (s: S) => number> = {},
): string {
  const extras = Object.entries(extra);
  const rows = samples.map((s) => [`${s.workload},${s.inputClass},${s.cpuShare},${round3(s.latencyMs)}`, ...extras.map(([, value]) => round3(value(s)))].join(","));
  return [...comments.map((c) => `# ${c}`), [...SAMPLE_COLUMNS, ...extras.map(([name]) => name)].join(","), ...rows].join("\n") + "\n";
}

function columnIndexes(header: string[], file: string, line: number): Record<(typeof SAMPLE_COLUMNS)[number], number> {
  const seen = new Map<string, number>();
  header.forEach((name, i) => {
    if (seen.has(name)) throw new SampleError(file, line, i + 1, `duplicate column '${name}'`);
    seen.set(name, i);
  });
  const out = {} as Record<(typeof SAMPLE_COLUMNS)[number], number>;
  for (const name of SAMPLE_COLUMNS) {
    const i = seen.get(name);
    if (i === undefined) {
      throw new SampleError(file, line, header.length + 1, `missing column '${name}' (header has: ${header.join(",")})`);
    }
    out[name] = i;
  }
  return out;
}

interface Row {
  fields: string[];
  /** 1-based line the record starts on. */
  line: number;
}

/** The records of the file with their first lines; CSV syntax errors become SampleErrors. */
function readRows(text: string, file: string): Row[] {
  // One line end, so that csv-parse's line count is the file's: it counts the
  // CR and the LF of a CRLF inside a quoted field as two lines.
  const lf = text.replace(/\r\n?/g, "\n");
  const starts: number[] = [];
  let lastEnd = 0;
  try {
    const records = parse(lf, {
      bom: true,
      comment: "#",
      comment_no_infix: true,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
      on_record: (record: string[], context) => {
        // context.lines is the record's last line: step back over the line ends inside its quoted fields.
        lastEnd = context.lines;
        starts.push(context.lines - newlines(record));
        return record;
      },
    });
    return records.map((fields, i) => ({ fields, line: starts[i]! }));
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    const field = typeof err.column === "number" ? err.column + 1 : 1;
    if (err.code === "CSV_QUOTE_NOT_CLOSED") {
      // csv-parse reports the end of the file; name the line the open record starts on.
      throw new SampleError(file, firstRecordLineAfter(lf, lastEnd), field, "quoted field is not closed");
    }
    throw new SampleError(file, Number(err.lines), field, syntaxReason(err));
  }
}

function syntaxReason(err: CsvError): string {
  switch (err.code) {
    case "INVALID_OPENING_QUOTE":
      return "a quote inside an unquoted field (quote the whole field and double inner quotes)";
    case "CSV_INVALID_CLOSING_QUOTE":
      return "text after a closing quote (double a quote inside a quoted field)";
    default:
      return err.message;
  }
}

/** The first line after `line` that is neither blank nor a `#` comment (1-based). */
function firstRecordLineAfter(text: string, line: number): number {
  const lines = text.split("\n");
  for (let i = line; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t !== "" && !t.startsWith("#")) return i + 1;
  }
  return line + 1;
}

function newlines(fields: string[]): number {
  let n = 0;
  for (const f of fields) for (const c of f) if (c === "\n") n++;
  return n;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
