// `fleximigrate models`: each class's serving latency model, where it came
// from (the profile, or a refit from measured latency), its held-out R², and
// how far measurements are from it.
import type { ModelView } from "../../src/api-types/scheduler.js";
import { defineCommand } from "../../src/cli/define.js";
import * as flag from "../../src/cli/flags.js";
import { formatTable, printJson } from "../../src/cli/output.js";
import { schedulerAt } from "../../src/cli/service-clients.js";
import { DEFAULT_SCHEDULER_URL } from "./migrations.js";

const num = (v: number | null | undefined, digits: number): string => (v === null || v === undefined ? "-" : v.toFixed(digits));

export function renderModels(models: Record<string, ModelView>): string {
  const keys = Object.keys(models).sort();
  if (keys.length === 0) return "(no models)\n";
  return formatTable(
    ["CLASS", "MODEL", "SOURCE", "R2", "SAMPLES", "P50 MS", "P95 MS", "ERROR %", "REFITS"],
    keys.map((k) => {
      const m = models[k]!;
      const curve = m.kind === "exponential" ? `${num(m.a, 1)}*exp(${num(m.b, 3)}*s)` : `${num(m.a, 1)}*s^${num(m.b, 3)}`;
      const err = m.measuredError === null || m.measuredError === undefined ? "-" : (m.measuredError * 100).toFixed(1);
      return [k, curve, m.source ?? "profile", num(m.r2, 3), m.samples ?? 0, num(m.processingMs?.p50, 1), num(m.processingMs?.p95, 1), err, m.refits ?? 0];
    }),
  );
}

export const command = defineCommand({
  name: "models",
  description: `Lists the scheduler's latency models, one per class (workload/inputClass):
the curve that serves new decisions (s: CPU share in cores), its source
(profile: from samples or a models file; live: refitted from measured
latency), its held-out R², the measured samples checked against it, the
measured processing p50/p95 of the class's tasks, the mean relative error of
the measurements against the model, and how many refits replaced it.`,
  flags: {
    scheduler: flag.urls("the scheduler's base URL (several, comma-separated: the replicas; the leader is followed)", { default: DEFAULT_SCHEDULER_URL }),
    json: flag.boolean("machine-readable output (the API's GET /v1/models)"),
  },
  async run(p) {
    const models = await schedulerAt(p.values.scheduler).models();
    if (p.values.json) printJson(models);
    else process.stdout.write(renderModels(models));
    return 0;
  },
});
