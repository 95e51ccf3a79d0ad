// One prom-client Registry per service, never the global one: several
// services built in one process (tests, the loop harness) keep their counters
// apart. Each starts with the process metrics every exporter carries
// (process_cpu_seconds_total, process_resident_memory_bytes, nodejs_*).
import { collectDefaultMetrics, Registry } from "prom-client";

/** The prefix of every FlexiMigrate metric (process and nodejs ones keep their usual names). */
export const METRIC_PREFIX = "fleximigrate_";

export function serviceRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Seconds from milliseconds, for histograms observed from the ms figures the services keep. */
export function seconds(ms: number): number {
  return ms / 1000;
}
