// The values a policy's CONTEXT names, for one move, from live data: the
// nodes' last agent reports (CPU, the workload's memory), the scheduler's
// clock, the path's congestion (path-congestion.ts), the task's service type
// and labels, the move's strategy. Only the names some policy declares are
// read (congestion asks the controller).
import type { MoveRecord, NodeReport } from "../../src/api-types/scheduler.js";
import type { ContextValue } from "../policy/vocabulary.js";

export interface PolicyContextDeps {
  now(): Date;
  /** A node's last report, if it sent one. */
  report(node: string): Partial<NodeReport> | undefined;
  /** Utilisation (0-1) of the busiest link between the nodes; absent without a controller. */
  congestion?(move: MoveRecord, opts?: { waitForRates?: boolean }): Promise<number | undefined>;
}

const MIB = 1024 * 1024;

/** `quick` (the queue preview): no waiting for port rates a first poll does not have yet. */
export async function buildPolicyContext(move: MoveRecord, needed: ReadonlySet<string>, deps: PolicyContextDeps, quick = false): Promise<Map<string, ContextValue>> {
  const ctx = new Map<string, ContextValue>();
  const cpu = (node: string) => {
    const usage = deps.report(node)?.cpu?.usage;
    return typeof usage === "number" && Number.isFinite(usage) ? usage * 100 : undefined;
  };
  const at = deps.now();
  const values: Record<string, () => ContextValue> = {
    source_cpu_utilization: () => cpu(move.from),
    destination_cpu_utilization: () => cpu(move.to),
    time_of_day: () => at.getUTCHours() + at.getUTCMinutes() / 60 + at.getUTCSeconds() / 3600,
    service_type: () => move.task.serviceType ?? "",
    labels: () => Object.entries(move.task.labels ?? {}).map(([k, v]) => `${k}=${v}`),
    migration_strategy: () => move.requestedStrategy ?? "auto",
    migration_size_mb: () => {
      const list = deps.report(move.from)?.workloads;
      const w = Array.isArray(list) ? list.find((x) => x?.id === move.task.id) : undefined;
      return typeof w?.memoryBytes === "number" && Number.isFinite(w.memoryBytes) ? w.memoryBytes / MIB : undefined;
    },
    source_node: () => move.from,
    destination_node: () => move.to,
    workload: () => move.task.workload,
  };
  for (const name of needed) {
    if (name === "network_congestion_prob") ctx.set(name, deps.congestion ? await deps.congestion(move, { waitForRates: !quick }).catch(() => undefined) : undefined);
    else if (Object.hasOwn(values, name)) ctx.set(name, values[name]!());
  }
  return ctx;
}
