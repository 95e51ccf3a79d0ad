// The context variables a policy may declare (pure): their type, and what
// fills them (scheduler/migration/policy-context.ts reads the live data).
// A value the scheduler cannot tell (no report yet, no controller) is
// unknown: every comparison with it is false, and explanations say so.

export type VarType = "number" | "string" | "list";

export interface VarInfo {
  type: VarType;
  doc: string;
}

export const CONTEXT_VARIABLES: ReadonlyMap<string, VarInfo> = new Map<string, VarInfo>([
  ["source_cpu_utilization", { type: "number", doc: "CPU use of the source node in percent (0-100), from its agent's last report" }],
  ["destination_cpu_utilization", { type: "number", doc: "CPU use of the destination node in percent (0-100), from its agent's last report" }],
  ["time_of_day", { type: "number", doc: "hours since midnight UTC on the scheduler's clock, with fraction (18.5 is 18:30)" }],
  ["network_congestion_prob", { type: "number", doc: "utilisation (0-1) of the busiest link on the switch path source -> destination, from the controller's port rates" }],
  ["service_type", { type: "string", doc: "the task's serviceType (POST /v1/tasks); \"\" when it gave none" }],
  ["labels", { type: "list", doc: 'the task\'s labels as "key=value" strings, for `"tier=gold" in labels`' }],
  ["migration_strategy", { type: "string", doc: "the strategy the move asked for: auto, postcopy, precopy or stopcopy" }],
  ["migration_size_mb", { type: "number", doc: "memory of the workload on the source in MiB, from the source agent's report" }],
  ["source_node", { type: "string", doc: "name of the source node" }],
  ["destination_node", { type: "string", doc: "name of the destination node" }],
  ["workload", { type: "string", doc: "the task's workload class" }],
]);

export function isContextVariable(name: string): boolean {
  return CONTEXT_VARIABLES.has(name);
}

/** A context value; undefined means unknown. */
export type ContextValue = number | string | string[] | undefined;

/** Values by name: a Map, so that no name ever reaches an object's prototype. */
export type PolicyContext = ReadonlyMap<string, ContextValue>;
