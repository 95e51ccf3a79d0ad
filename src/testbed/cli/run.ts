// `fleximigrate testbed run SCENARIO`: one scenario on a testbed of its own;
// writes results/RUN/ (scenario, trace, measurements.json, report.html).
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CliError } from "../../cli/command.js";
import { defineCommand } from "../../cli/define.js";
import * as flag from "../../cli/flags.js";
import { printJson } from "../../cli/output.js";
import { runScenario } from "../scenario/run.js";
import { loadScenario, ScenarioError } from "../scenario/validate.js";
import { definitionFrom, needRoot, prefixFlag } from "./common.js";

export const SCENARIO_DIR = fileURLToPath(new URL("../../../mininet/scenarios/", import.meta.url));

/** A path, or the name of a shipped scenario (mininet/scenarios/NAME.yaml). */
export function scenarioFile(arg: string): string {
  if (existsSync(arg)) return arg;
  for (const ext of [".yaml", ".yml", ".json"]) if (existsSync(path.join(SCENARIO_DIR, arg + ext))) return path.join(SCENARIO_DIR, arg + ext);
  throw new CliError(`scenario '${arg}': no such file, and no shipped scenario of that name in mininet/scenarios/`);
}

export const command = defineCommand({
  name: "testbed run",
  synopsis: "SCENARIO",
  positionals: { min: 1, max: 1 },
  description: `Runs SCENARIO (a file, or a shipped one: saturate, fsm, strategies, policies,
group) on a testbed built for it, and writes results/RUN/ with the scenario,
its device trace, measurements.json and report.html. The same file and seed
give the same trace and decisions; figures vary only by measurement. The file's
format: mininet/scenarios/scenario.schema.json (a bad file exits 2 naming the field).`,
  flags: {
    prefix: prefixFlag,
    definition: flag.string("FILE", "the testbed definition (default mininet/testbed.json)"),
    "base-port": flag.number("N", "the scheduler's port; agents take the next ones", { integer: true, min: 1024, max: 65000, default: 44088 }),
    results: flag.string("DIR", "where RUN folders go", { default: "results" }),
    insecure: flag.boolean("plain HTTP, no authentication, instead of mutual TLS (logged; for looking at a testbed with curl)"),
    json: flag.boolean("print the run's folder and summary as JSON"),
  },
  async run({ values: v, positionals }) {
    const file = scenarioFile(positionals[0]!);
    let scenario: ReturnType<typeof loadScenario>;
    try {
      scenario = loadScenario(file);
    } catch (err) {
      if (err instanceof ScenarioError) throw new CliError(err.message);
      throw err;
    }
    needRoot("run");
    const log = (line: string) => process.stderr.write(`[testbed] ${line}\n`);
    let onSignal: () => void = () => {};
    const stopped = new Promise<void>((resolve) => {
      onSignal = resolve;
    });
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      const { dir, measurements: m } = await runScenario(scenario, { prefix: v.prefix, insecure: v.insecure, basePort: v["base-port"], definition: definitionFrom(v.definition), scenarioFile: file, resultsRoot: v.results, log, stopped });
      const moved = (m.strategies ?? []).filter((x) => x.state === "COMPLETED" || x.state === "succeeded");
      const summary = {
        dir,
        requests: m.requests.length,
        migrations: m.migrations.length,
        completed: m.migrations.filter((x) => x.state === "COMPLETED").length,
        fsm: m.fsm.map((x) => ({ case: x.case, final: x.final, ok: x.ok })),
        strategies: (m.strategies ?? []).map((x) => ({ strategy: x.strategy, sizeMiB: x.sizeMiB, state: x.state, downtimeMs: x.downtimeMs, totalMs: x.totalMs, rateMbit: x.rateMbit })),
        groups: (m.groups ?? []).map((g) => ({ group: g.group, state: g.state, totalMs: g.totalMs })),
        notes: m.notes,
      };
      if (v.json) printJson(summary);
      else
        process.stdout.write(
          `results in ${dir}/ (report.html): ${summary.requests} requests, ${summary.completed}/${summary.migrations} moves completed${m.fsm.length ? `, FSM cases as expected: ${m.fsm.filter((x) => x.ok).length}/${m.fsm.length}` : ""}${m.strategies ? `, strategy moves completed: ${moved.length}/${m.strategies.length}` : ""}${summary.groups.map((g) => `, group ${g.group} ${g.state} in ${g.totalMs} ms`).join("")}\n`,
        );
      const ok = m.fsm.every((x) => x.ok) && moved.length === (m.strategies ?? []).length && (m.groups ?? []).every((g) => g.state === "completed");
      return ok ? 0 : 1;
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  },
});
