// `fleximigrate fit SAMPLES.csv`: fits a latency model per workload class and
// prints kind, parameters, held-out R² and sample count.
import { readFileSync } from "node:fs";
import { CliError } from "../../src/cli/command.js";
import { defineCommand } from "../../src/cli/define.js";
import * as flag from "../../src/cli/flags.js";
import { formatTable, printJson } from "../../src/cli/output.js";
import { type FittedModel, fitModels } from "../latency/fit.js";
import { parseSamplesCsv, SampleError } from "../latency/samples.js";

export const command = defineCommand({
  name: "fit",
  synopsis: "SAMPLES.csv",
  positionals: { min: 1, max: 1 },
  description: `Reads profiling samples (CSV with a header naming the columns workload,
inputClass, cpuShare, latencyMs, in any order; blank and '#' lines skipped) and
fits, per workload/inputClass, latencyMs = a*exp(b*cpuShare) and
latencyMs = a*cpuShare^b. The model with the better held-out R² (leave-one-out
cross-validation) wins; the other is listed as the alternative.

Bad input exits 2 with FILE:LINE:COLUMN: reason.`,
  flags: {
    json: flag.boolean(`print {"models":{"workload/class":{kind,a,b,r2,n,alternatives}}}`),
  },
  async run(parsed) {
    const file = parsed.positionals[0]!;
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    let models: Record<string, FittedModel>;
    try {
      models = fitModels(parseSamplesCsv(text, file), file);
    } catch (err) {
      if (err instanceof SampleError) throw new CliError(err.message);
      throw err;
    }
    if (parsed.values.json) {
      printJson({ models: Object.fromEntries(Object.entries(models).map(([k, m]) => [k, rounded(m)])) });
      return 0;
    }
    const rows = Object.entries(models).map(([key, m]) => [
      key,
      m.kind,
      String(sig(m.a)),
      String(sig(m.b)),
      m.r2.toFixed(3),
      m.n,
      m.alternatives.map((alt) => `${alt.kind} a=${sig(alt.a)} b=${sig(alt.b)} r2=${alt.r2.toFixed(3)}`).join("; "),
    ]);
    process.stdout.write(formatTable(["model", "kind", "a", "b", "r2 (held out)", "n", "alternative"], rows));
    return 0;
  },
});

/** Six significant digits: enough to reuse the model, short enough to read. */
function sig(x: number): number {
  return Number(x.toPrecision(6));
}

function rounded(m: FittedModel): FittedModel {
  return {
    kind: m.kind,
    a: sig(m.a),
    b: sig(m.b),
    r2: sig(m.r2),
    n: m.n,
    alternatives: m.alternatives.map((alt) => ({ kind: alt.kind, a: sig(alt.a), b: sig(alt.b), r2: sig(alt.r2) })),
  };
}
