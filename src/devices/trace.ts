// Devices from a request trace: the REQUESTS.jsonl of `fleximigrate plan`
// (scheduler/planner/requests-file.ts; read again here, as src/ may not import
// the scheduler). Each request line is one device sending its task's requests
// from its "at" (seconds, 0 when absent); a {"release": ID} line stops that
// device at the trace time reached by then (the latest "at" before it). A
// device never runs past the command's --duration.
import type { DeviceSpec } from "./device.js";

export class TraceError extends Error {
  override readonly name = "TraceError";
}

const FIELDS = new Set(["id", "device", "workload", "inputClass", "delayBudgetMs", "priority", "at"]);

export function devicesFromTrace(text: string, file: string, durationMs: number): DeviceSpec[] {
  const specs = new Map<string, DeviceSpec>();
  const seen = new Set<string>();
  let clockMs = 0;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === "") continue;
    const bad = (why: string) => new TraceError(`${file}:${i + 1}: ${why}`);
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(raw);
    } catch (err) {
      throw bad(`not valid JSON (${(err as Error).message})`);
    }
    if (!data || typeof data !== "object" || Array.isArray(data)) throw bad("expected a JSON object");
    if ("release" in data) {
      if (!seen.has(String(data.release))) throw bad(`release of '${String(data.release)}', which no earlier line requests`);
      const spec = specs.get(String(data.release));
      if (!spec) continue; // it starts after the run ends
      // Released before the trace's clock moved on: the device runs until --duration.
      if (clockMs > spec.startMs) spec.stopMs = Math.min(spec.stopMs, clockMs);
      continue;
    }
    for (const k of Object.keys(data)) if (!FIELDS.has(k)) throw bad(`unknown field '${k}'`);
    for (const f of ["id", "device", "workload", "inputClass"]) if (typeof data[f] !== "string" || data[f] === "") throw bad(`${f} must be a non-empty string`);
    const { delayBudgetMs, priority, at } = data;
    if (typeof delayBudgetMs !== "number" || !(delayBudgetMs > 0) || !Number.isFinite(delayBudgetMs)) throw bad("delayBudgetMs must be a positive number");
    if (priority !== undefined && !Number.isInteger(priority)) throw bad("priority must be an integer");
    if (at !== undefined && !(typeof at === "number" && Number.isFinite(at) && at >= 0)) throw bad("at must be a number of seconds >= 0");
    const id = data.id as string;
    if (seen.has(id)) throw bad(`request '${id}' appears twice`);
    seen.add(id);
    const startMs = ((at as number | undefined) ?? 0) * 1000;
    clockMs = Math.max(clockMs, startMs);
    if (startMs >= durationMs) continue; // starts after the run ends
    specs.set(id, {
      id: data.device as string,
      task: { id, workload: data.workload as string, inputClass: data.inputClass as string, delayBudgetMs, ...(priority === undefined ? {} : { priority: priority as number }) },
      startMs,
      stopMs: durationMs,
    });
  }
  if (specs.size === 0) throw new TraceError(`${file}: no request starts within the run's duration`);
  return [...specs.values()];
}
