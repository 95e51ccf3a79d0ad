// Reads the planner's input files; every failure is an InputError (or, for the
// samples CSV, a SampleError) naming the file.
import { readFile } from "node:fs/promises";
import { fitModels } from "../latency/fit.js";
import { modelKey } from "../../src/latency/model.js";
import { parseSamplesCsv } from "../latency/samples.js";
import type { ModelTable } from "../placement/types.js";
import { type Cluster, parseClusterJson } from "./cluster-file.js";
import { InputError } from "./input-error.js";
import { parseRequestsJsonl, type TraceEvent } from "./requests-file.js";

export interface PlanInputs {
  cluster: Cluster;
  events: TraceEvent[];
}

export async function loadPlanInputs(files: { cluster: string; requests: string; samples?: string }): Promise<PlanInputs> {
  const cluster = parseClusterJson(await readText(files.cluster), files.cluster);
  if (files.samples !== undefined) Object.assign(cluster.models, await modelsFromSamples(files.samples));
  if (Object.keys(cluster.models).length === 0)
    throw new InputError(files.cluster, undefined, 'no models: add "models" to the file or give --samples');
  const events = parseRequestsJsonl(await readText(files.requests), files.requests);
  checkModelClasses(events, cluster.models, files.requests);
  return { cluster, events };
}

/** Offline, a request for a class without a model is an input error (the service refuses it instead). */
function checkModelClasses(events: TraceEvent[], models: ModelTable, file: string): void {
  for (const ev of events) {
    if (ev.kind !== "place") continue;
    const key = modelKey(ev.request.workload, ev.request.inputClass);
    if (!Object.hasOwn(models, key))
      throw new InputError(file, ev.line, `unknown model class '${key}' (known: ${Object.keys(models).sort().join(", ")})`);
  }
}

/** Throws SampleError (`FILE:LINE:COLUMN: reason`) for bad samples. */
async function modelsFromSamples(file: string): Promise<ModelTable> {
  const fitted = fitModels(parseSamplesCsv(await readText(file), file), file);
  const out: ModelTable = {};
  for (const [key, m] of Object.entries(fitted)) out[key] = { kind: m.kind, a: m.a, b: m.b };
  return out;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new InputError(file, undefined, e.code === "ENOENT" ? "no such file" : `cannot read (${e.message})`);
  }
}
