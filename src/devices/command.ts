// `fleximigrate devices`: IoT devices that send real requests. Each registers,
// submits its task to the scheduler, then calls its workload at the task's
// service IP over one keep-alive connection until --duration, and reports what
// it measured; at the end it releases its task (unless --keep).
import { readFile } from "node:fs/promises";
import type { ModelView } from "../api-types/scheduler.js";
import { CliError } from "../cli/command.js";
import { defineCommand } from "../cli/define.js";
import * as flag from "../cli/flags.js";
import { schedulerAt } from "../cli/service-clients.js";
import { modelKey, predictLatencyMs } from "../latency/model.js";
import type { DeviceResult, DeviceSpec } from "./device.js";
import { runFleet } from "./fleet.js";
import { SampleReporter } from "./sample-reporter.js";
import { deviceJson, overallJson, resultsTable, Tally } from "./report.js";
import { devicesFromTrace, TraceError } from "./trace.js";

const PROGRESS_MS = 1000;

export const command = defineCommand({
  name: "devices",
  description: `Runs IoT devices against a running scheduler. Each device registers, submits
its task (workload, input class, delay budget), then sends GET
/process?size=INPUT to the task's service IP and port at its rate, over one
keep-alive connection, until --duration. A failed request is counted by kind
(reset, timeout, http, connect), never retried. Reports per device and
overall: requests, answers, errors, p50/p95/p99 latency against the budget,
deadline misses (late answers and failures) and the longest gap between two
answers (what a move costs the device). Every --report-every seconds the
measured latencies (with the workload's own processingMs when it answers one)
go to the scheduler (POST /v1/tasks/ID/samples), which checks its models
against them; a failed report is counted, never fatal. Tasks are released at
the end.`,
  flags: {
    scheduler: flag.urls("the scheduler's base URL (several, comma-separated: the replicas; the leader is followed)", { required: true }),
    count: flag.number("N", "devices (default 1)", { integer: true, min: 1, max: 1000 }),
    rate: flag.number("R", "requests per second of each device", { positive: true, default: 2 }),
    workload: flag.string("NAME", "the task's workload, as GET /v1/models names it (default detect)"),
    input: flag.string("CLASS", "the task's input class, sent as ?size= (default small)"),
    budget: flag.number("MS", "delay budget of each task (default: 3x the model's latency at one core)", { positive: true }),
    trace: flag.string("FILE", `devices from a request trace (JSON lines of \`fleximigrate plan\`):\none device per request line, from its "at" until its release`),
    duration: flag.number("S", "stop sending after S seconds", { positive: true, default: 30 }),
    name: flag.string("PREFIX", "device ids are PREFIX-1, PREFIX-2, ...", { default: "iot" }),
    site: flag.string("SITE", "the devices' site, as registered with the scheduler"),
    timeout: flag.number("MS", "a request without its answer by then counts as a timeout", { positive: true, default: 5000 }),
    keep: flag.boolean("leave the tasks placed at the end (no DELETE)"),
    "report-every": flag.number("S", "send measured latencies to the scheduler every S seconds (0: never)", { min: 0, default: 2 }),
    json: flag.boolean("JSON lines: one per device and one overall; progress as JSON on stderr"),
  },
  epilog: "Exit status: 0 when every device ran; 1 when one was refused, got no service IP or failed; 2 on bad input.",
  async run(parsed) {
    const v = parsed.values;
    const durationMs = v.duration * 1000;
    if (v.trace && (v.count !== undefined || v.workload !== undefined || v.input !== undefined || v.budget !== undefined))
      throw new CliError("--trace gives each device its task: drop --count, --workload, --input and --budget");
    const scheduler = schedulerAt(v.scheduler);
    const models = await scheduler.models({ retry: false, timeoutMs: 5000 });
    const specs = v.trace ? await traceSpecs(v.trace, durationMs) : flagSpecs(v, models, durationMs);
    const unknown = [...new Set(specs.map((s) => modelKey(s.task.workload, s.task.inputClass)).filter((k) => !(k in models)))];
    if (unknown.length) throw new CliError(`the scheduler has no latency model for ${unknown.join(", ")} (it has: ${Object.keys(models).sort().join(", ") || "none"})`);

    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    const tally = new Tally();
    const started = Date.now();
    const progress = () => {
      const elapsed = Date.now() - started;
      process.stderr.write(`${v.json ? JSON.stringify(tally.json(elapsed)) : tally.line(elapsed)}\n`);
    };
    const timer = setInterval(progress, PROGRESS_MS);
    const reporter = v["report-every"] > 0 ? new SampleReporter(scheduler, { everyMs: v["report-every"] * 1000 }) : undefined;
    reporter?.start();
    let results: DeviceResult[];
    try {
      const budgets = new Map(specs.map((s) => [s.id, s.task.delayBudgetMs]));
      results = await runFleet(specs, {
        scheduler,
        rate: v.rate,
        requestTimeoutMs: v.timeout,
        keep: v.keep,
        signal: stop.signal,
        onOutcome: (device, o) => tally.count(o.ok, !o.ok || o.latencyMs > (budgets.get(device) ?? Number.POSITIVE_INFINITY)),
        ...(reporter ? { samples: reporter } : {}),
      });
    } finally {
      clearInterval(timer);
      await reporter?.stop();
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
    progress();
    if (reporter) {
      const c = reporter.counts;
      process.stderr.write(
        `${v.json ? JSON.stringify({ samples: c }) : `devices: reported ${c.reported} latency samples to the scheduler (${c.failedBatches} failed reports, ${c.lost} samples lost)`}\n`,
      );
    }
    if (v.json) for (const line of [...results.map(deviceJson), overallJson(results)]) process.stdout.write(`${JSON.stringify(line)}\n`);
    else process.stdout.write(resultsTable(results));
    for (const r of results) {
      const why = problem(r);
      if (why) process.stderr.write(`fleximigrate devices: ${r.device}: ${why}\n`);
    }
    return results.every((r) => r.status === "ran") ? 0 : 1;
  },
});

/** What went wrong with a device, for a person; null when it ran. */
export function problem(r: DeviceResult): string | null {
  switch (r.status) {
    case "ran":
      return null;
    case "refused":
      return `task refused: ${r.reason}`;
    case "no-service-ip":
      return `task ${r.task} was placed on ${r.node} but has no service IP: the scheduler has no agents, so no workload runs (start agents that register with it, e.g. \`fleximigrate up\`)`;
    case "failed":
      return r.error;
  }
}

interface FlagValues {
  count: number | undefined;
  workload: string | undefined;
  input: string | undefined;
  budget: number | undefined;
  name: string;
  site: string | undefined;
}

function flagSpecs(v: FlagValues, models: Record<string, ModelView>, durationMs: number): DeviceSpec[] {
  const workload = v.workload ?? "detect";
  const inputClass = v.input ?? "small";
  const model = models[modelKey(workload, inputClass)];
  if (!model) throw new CliError(`the scheduler has no latency model for ${modelKey(workload, inputClass)} (it has: ${Object.keys(models).sort().join(", ") || "none"})`);
  const budget = v.budget ?? Math.ceil((3 * predictLatencyMs(model, 1)) / 10) * 10;
  return Array.from({ length: v.count ?? 1 }, (_, i) => ({
    id: `${v.name}-${i + 1}`,
    ...(v.site ? { site: v.site } : {}),
    task: { workload, inputClass, delayBudgetMs: budget },
    startMs: 0,
    stopMs: durationMs,
  }));
}

async function traceSpecs(file: string, durationMs: number): Promise<DeviceSpec[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new CliError(`--trace: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return devicesFromTrace(text, file, durationMs);
  } catch (err) {
    if (err instanceof TraceError) throw new CliError(`--trace: ${err.message}`);
    throw err;
  }
}
