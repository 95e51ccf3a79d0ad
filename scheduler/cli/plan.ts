// `fleximigrate plan`: the placement engine offline, on a cluster file and a
// request trace; `--compare` runs every policy on the same trace.
import { parseCommandArgs, numberFlag } from "../../src/cli/args.js";
import { CliError, type Command } from "../../src/cli/command.js";
import { printJson } from "../../src/cli/output.js";
import { isPolicyName, POLICY_NAMES, type PolicyName } from "../placement/policies.js";
import { SampleError } from "../latency/samples.js";
import { InputError } from "../planner/input-error.js";
import { loadPlanInputs, type PlanInputs } from "../planner/load-inputs.js";
import { compareTable, decisionJson, decisionsTable, summaryJson, summaryLine } from "../planner/report.js";
import { runPlan } from "../planner/run-plan.js";

const usage = `Usage: fleximigrate plan --cluster CLUSTER.json --requests REQUESTS.jsonl [options]

Places a request trace on a cluster with the scheduler's placement code, offline.

Options:
  --cluster FILE     {"nodes":[{"name","tier":"edge"|"cloud","cpus","netDelayMs"}],"models":{...}}
  --requests FILE    JSON lines: {"id","device","workload","inputClass","delayBudgetMs","priority"?}
                     or {"release":"ID"}
  --samples FILE     fit models from a profiling samples CSV (overrides same-named models)
  --policy NAME      ${POLICY_NAMES.join(" | ")} (default delay-aware)
  --seed N           seed of the random policy (default 1)
  --compare          run every policy on the trace and print one row each
  --json             machine-readable output
  -h, --help         show this help

Exit status: 0 when the trace ran (refusals included), 2 on bad input.`;

const options = {
  cluster: { type: "string" },
  requests: { type: "string" },
  samples: { type: "string" },
  policy: { type: "string" },
  seed: { type: "string" },
  compare: { type: "boolean" },
  json: { type: "boolean" },
} as const;

export const command: Command = {
  name: "plan",
  summary: "Run placement policies offline on a cluster and a request trace",
  usage,
  async run(args) {
    const parsed = parseCommandArgs(args, options, usage, { positionals: { max: 0 } });
    if (!parsed) return 0;
    const v = parsed.values;
    if (!v.cluster) throw new CliError(`--cluster is required\n\n${usage}`);
    if (!v.requests) throw new CliError(`--requests is required\n\n${usage}`);
    const policy = v.policy ?? "delay-aware";
    if (!isPolicyName(policy)) throw new CliError(`unknown policy '${policy}' (known: ${POLICY_NAMES.join(", ")})`);
    if (v.compare && v.policy !== undefined) throw new CliError("--compare runs every policy; drop --policy");
    const seed = numberFlag("seed", v.seed, 1, { integer: true, min: 0 });

    let inputs: PlanInputs;
    try {
      inputs = await loadPlanInputs({ cluster: v.cluster, requests: v.requests, samples: v.samples });
    } catch (err) {
      if (err instanceof InputError || err instanceof SampleError) throw new CliError(err.message);
      throw err;
    }

    if (v.compare) {
      const rows = POLICY_NAMES.map((p) => runPlan(p, inputs.cluster, inputs.events, seed).summary);
      if (v.json) printJson({ compare: rows.map(summaryJson) });
      else process.stdout.write(compareTable(rows));
      return 0;
    }
    const { decisions, summary } = runPlan(policy as PolicyName, inputs.cluster, inputs.events, seed);
    if (v.json) printJson({ decisions: decisions.map(decisionJson), summary: summaryJson(summary) });
    else process.stdout.write(decisionsTable(decisions) + summaryLine(summary));
    return 0;
  },
};
