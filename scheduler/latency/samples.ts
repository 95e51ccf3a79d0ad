// Profiling samples: one measured latency of a workload class at a CPU share.
// Parses the samples CSV strictly, so that a bad file fails with FILE:LINE:COLUMN
// before anything is fitted or written.

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
 * Parses `workload,inputClass,cpuShare,latencyMs` CSV. A header row is required and
 * columns are found by name (any order; extra columns are ignored). Blank lines and
 * lines starting with `#` are skipped. Fields are plain (no quoting).
 */
export function parseSamplesCsv(text: string, file: string): Sample[] {
  const lines = text.split(/\r?\n/);
  let headerAt = -1;
  let header: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (isSkipped(lines[i]!)) continue;
    headerAt = i;
    header = splitFields(lines[i]!);
    break;
  }
  if (headerAt < 0) throw new SampleError(file, 1, 1, `missing header row (expected ${SAMPLE_COLUMNS.join(",")})`);
  const headerLine = headerAt + 1;
  const index = columnIndexes(header, file, headerLine);

  const samples: Sample[] = [];
  for (let i = headerAt + 1; i < lines.length; i++) {
    const raw = lines[i]!;
    if (isSkipped(raw)) continue;
    const line = i + 1;
    const fields = splitFields(raw);
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
export function formatSamplesCsv(samples: Array<Omit<Sample, "line">>, comments: string[] = []): string {
  const rows = samples.map((s) => `${s.workload},${s.inputClass},${s.cpuShare},${round3(s.latencyMs)}`);
  return [...comments.map((c) => `# ${c}`), SAMPLE_COLUMNS.join(","), ...rows].join("\n") + "\n";
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

function isSkipped(line: string): boolean {
  const t = line.trim();
  return t === "" || t.startsWith("#");
}

function splitFields(line: string): string[] {
  return line.split(",").map((f) => f.trim());
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
