// `fleximigrate plan`: the placement engine offline, on a cluster file and a
// request trace; `--compare` runs every policy on the same trace.
import { CliError } from "../../src/cli/command.js";
import { defineCommand } from "../../src/cli/define.js";
import * as flag from "../../src/cli/flags.js";
import { printJson } from "../../src/cli/output.js";
import { POLICY_NAMES } from "../placement/policies.js";
import { SampleError } from "../latency/samples.js";
import { InputError } from "../planner/input-error.js";
import { loadPlanInputs, type PlanInputs } from "../planner/load-inputs.js";
import { compareTable, decisionJson, decisionsTable, summaryJson, summaryLine } from "../planner/report.js";
import { runPlan } from "../planner/run-plan.js";
import { policyName } from "./policy-flag.js";

export const command = defineCommand({
  name: "plan",
  description: "Places a request trace on a cluster with the scheduler's placement code, offline.",
  flags: {
    cluster: flag.string(
      "FILE",
      `{"nodes":[{"name","tier":"edge"|"cloud","cpus","netDelayMs"}],"models":{...},\n"downtime"?:{"WORKLOAD"|"*":{"frozenMs","workingSetMiB"?}}}`,
      { required: true },
    ),
    requests: flag.string(
      "FILE",
      `JSON lines: {"id","device","workload","inputClass","delayBudgetMs","priority"?,"requestsPerSec"?,"at"?}\nor {"release":"ID"}`,
      { required: true },
    ),
    samples: flag.string("FILE", "fit models from a profiling samples CSV (overrides same-named models)"),
    // No default here: --compare must know whether --policy was given.
    policy: flag.parsed("NAME", `${POLICY_NAMES.join(" | ")} (default delay-aware)`, policyName),
    seed: flag.number("N", "seed of the random policy", { integer: true, min: 0, default: 1 }),
    "min-residence": flag.number("S", "rule 3 does not move a request placed or moved less than S seconds ago (lines with \"at\")", { min: 0, default: 10 }),
    compare: flag.boolean("run every policy on the trace and print one row each"),
    json: flag.boolean("machine-readable output"),
  },
  epilog: "Exit status: 0 when the trace ran (refusals included), 2 on bad input.",
  async run(parsed) {
    const v = parsed.values;
    const policy = v.policy ?? "delay-aware";
    if (v.compare && v.policy !== undefined) throw new CliError("--compare runs every policy; drop --policy");
    const seed = v.seed;

    let inputs: PlanInputs;
    try {
      inputs = await loadPlanInputs({ cluster: v.cluster, requests: v.requests, samples: v.samples });
    } catch (err) {
      if (err instanceof InputError || err instanceof SampleError) throw new CliError(err.message);
      throw err;
    }

    if (v.compare) {
      const rows = POLICY_NAMES.map((p) => runPlan(p, inputs.cluster, inputs.events, seed, v["min-residence"]).summary);
      if (v.json) printJson({ compare: rows.map(summaryJson) });
      else process.stdout.write(compareTable(rows));
      return 0;
    }
    const { decisions, summary } = runPlan(policy, inputs.cluster, inputs.events, seed, v["min-residence"]);
    if (v.json) printJson({ decisions: decisions.map(decisionJson), summary: summaryJson(summary) });
    else process.stdout.write(decisionsTable(decisions) + summaryLine(summary));
    return 0;
  },
});
