// `fleximigrate report RUN [RUN...]`: rebuilds report.html from runs'
// measurements.json; several runs go side by side in one page.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CliError } from "../../cli/command.js";
import { defineCommand } from "../../cli/define.js";
import * as flag from "../../cli/flags.js";
import type { Measurements } from "../scenario/measurements.js";
import { renderReport } from "../report/render.js";

export const command = defineCommand({
  name: "report",
  synopsis: "RUN [RUN...]",
  positionals: { min: 1, max: 20 },
  description: `Rebuilds a testbed run's report.html from its measurements.json (RUN: a folder
under results/, or its path). With several runs, writes one page with them
side by side (--out, default results/compare-<time>.html).`,
  flags: {
    results: flag.string("DIR", "where RUN folders are", { default: "results" }),
    out: flag.string("FILE", "where the page goes (one run: RUN/report.html)"),
  },
  async run({ values: v, positionals }) {
    const runs = positionals.map((r) => {
      const dir = existsSync(r) ? r : path.join(v.results, r);
      const file = path.join(dir, "measurements.json");
      if (!existsSync(file)) throw new CliError(`${r}: no ${file}`);
      try {
        return { dir, m: JSON.parse(readFileSync(file, "utf8")) as Measurements };
      } catch (err) {
        throw new CliError(`${file}: ${(err as Error).message}`);
      }
    });
    const out = v.out ?? (runs.length === 1 ? path.join(runs[0]!.dir, "report.html") : path.join(v.results, `compare-${new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "")}.html`));
    writeFileSync(out, await renderReport(runs.map((r) => r.m)));
    process.stderr.write(`report: ${out}\n`);
    process.stdout.write(`${out}\n`);
    return 0;
  },
});
