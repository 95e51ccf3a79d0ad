// The device trace a scenario and its seed stand for (pure): the same file and
// seed give the same arrivals, budgets, rates and releases, every time.
import type { DeviceSpec } from "../../devices/device.js";
import { seededRng } from "../../random.js";
import type { Scenario } from "./types.js";

export interface TraceDevice extends DeviceSpec {
  rate: number;
}

/** Every device of the scenario with its start and stop (ms from the run's start), sorted by start. */
export function scenarioTrace(s: Scenario): TraceDevice[] {
  const random = seededRng(s.seed);
  const endMs = s.durationS * 1000;
  const out: TraceDevice[] = [];
  for (const g of s.devices) {
    for (let i = 0; i < g.count; i++) {
      const startMs = Math.round((g.startS + i * g.spacingS + random() * g.jitterS) * 1000);
      const stopMs = Math.min(endMs, g.releaseS !== undefined ? g.releaseS * 1000 : endMs);
      out.push({ id: `${g.prefix}-${i + 1}`, task: { workload: g.workload, inputClass: g.input, delayBudgetMs: g.budgetMs }, startMs: Math.min(startMs, endMs), stopMs, rate: g.rate });
    }
  }
  return out.sort((a, b) => a.startMs - b.startMs || a.id.localeCompare(b.id));
}
