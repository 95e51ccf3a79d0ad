// The models the scheduler and `up` use when given none: fitted from
// scheduler/defaults/samples.csv, a real `fleximigrate profile` run committed as data
// (see docs/latency.md for how it was produced).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type FittedModel, fitModels } from "./fit.js";
import { parseSamplesCsv } from "./samples.js";

/** Path of the embedded samples file. */
export const DEFAULT_SAMPLES_PATH = fileURLToPath(new URL("../defaults/samples.csv", import.meta.url));

let cached: Record<string, FittedModel> | undefined;

/** Models fitted from the embedded samples, keyed `workload/inputClass` (e.g. `detect/small`). */
export function loadDefaultModels(): Record<string, FittedModel> {
  cached ??= fitModels(parseSamplesCsv(readFileSync(DEFAULT_SAMPLES_PATH, "utf8"), DEFAULT_SAMPLES_PATH), DEFAULT_SAMPLES_PATH);
  // A copy, so that a caller editing its table cannot change another caller's defaults.
  return structuredClone(cached);
}
