// REQUESTS.jsonl: one JSON object a line, a request to place or {"release": id}.
// Blank lines are skipped. Errors name the file and the 1-based line.
import type { TaskRequest } from "../placement/types.js";
import { InputError, isObject } from "./input-error.js";

/** `atSec`: the line's optional `at`, seconds into the trace (the request's age starts there). */
export type TraceEvent =
  | { kind: "place"; request: TaskRequest; line: number; atSec?: number }
  | { kind: "release"; id: string; line: number };

const REQUEST_FIELDS = new Set(["id", "device", "workload", "inputClass", "delayBudgetMs", "priority", "requestsPerSec", "at"]);

export function parseRequestsJsonl(text: string, file: string): TraceEvent[] {
  const events: TraceEvent[] = [];
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === "") continue;
    const line = i + 1;
    const bad = (why: string) => new InputError(file, line, why);
    let data: unknown;
    try {
      data = JSON.parse(raw);
    } catch (err) {
      throw bad(`not valid JSON (${(err as Error).message})`);
    }
    if (!isObject(data)) throw bad("expected a JSON object");
    if ("release" in data) {
      if (Object.keys(data).length !== 1) throw bad('a release line has only "release"');
      if (typeof data.release !== "string" || !seen.has(data.release))
        throw bad(`release of '${String(data.release)}', which no earlier line requests`);
      events.push({ kind: "release", id: data.release, line });
      continue;
    }
    for (const k of Object.keys(data)) if (!REQUEST_FIELDS.has(k)) throw bad(`unknown field '${k}'`);
    for (const f of ["id", "device", "workload", "inputClass"] as const) {
      if (typeof data[f] !== "string" || data[f] === "") throw bad(`${f} must be a non-empty string`);
    }
    const { delayBudgetMs, priority, requestsPerSec, at } = data;
    if (typeof delayBudgetMs !== "number" || !(delayBudgetMs > 0) || !Number.isFinite(delayBudgetMs))
      throw bad("delayBudgetMs must be a positive number");
    if (priority !== undefined && !Number.isInteger(priority)) throw bad("priority must be an integer");
    if (requestsPerSec !== undefined && !(typeof requestsPerSec === "number" && Number.isFinite(requestsPerSec) && requestsPerSec >= 0))
      throw bad("requestsPerSec must be a number >= 0");
    if (at !== undefined && !(typeof at === "number" && Number.isFinite(at) && at >= 0)) throw bad("at must be a number of seconds >= 0");
    const request: TaskRequest = {
      id: data.id as string,
      device: data.device as string,
      workload: data.workload as string,
      inputClass: data.inputClass as string,
      delayBudgetMs,
    };
    if (priority !== undefined) request.priority = priority as number;
    if (requestsPerSec !== undefined) request.requestsPerSec = requestsPerSec as number;
    seen.add(request.id);
    events.push(at === undefined ? { kind: "place", request, line } : { kind: "place", request, line, atSec: at as number });
  }
  return events;
}
