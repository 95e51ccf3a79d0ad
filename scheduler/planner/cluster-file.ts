// CLUSTER.json: {"nodes": [{name, tier, cpus, netDelayMs}], "models"?: {"workload/class": {kind, a, b}},
//   "downtime"?: {"workload" | "*": {frozenMs, workingSetMiB?}}} (absent: moves cost no known downtime).
import type { LatencyModel } from "../../src/latency/model.js";
import type { DowntimeEstimate } from "../placement/downtime.js";
import type { ModelTable, NodeSpec } from "../placement/types.js";
import { InputError, isObject } from "./input-error.js";

export interface Cluster {
  nodes: NodeSpec[];
  models: ModelTable;
  /** Expected downtime of a move, by workload ("*": any other); migration-aware admission uses it. */
  downtime?: Record<string, DowntimeEstimate>;
}

export function parseClusterJson(text: string, file: string): Cluster {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new InputError(file, undefined, `not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(data) || !Array.isArray(data.nodes))
    throw new InputError(file, undefined, 'expected {"nodes": [...], "models"?: {...}}');
  const names = new Set<string>();
  const nodes = data.nodes.map((n, i) => {
    const node = parseNode(n, file, `nodes[${i}]`);
    if (names.has(node.name)) throw new InputError(file, undefined, `nodes[${i}]: duplicate node name '${node.name}'`);
    names.add(node.name);
    return node;
  });
  if (nodes.length === 0) throw new InputError(file, undefined, "no nodes");
  const models: ModelTable = {};
  if (data.models !== undefined) {
    if (!isObject(data.models)) throw new InputError(file, undefined, "models: expected an object of \"workload/inputClass\": model");
    for (const [key, m] of Object.entries(data.models)) models[key] = parseModel(m, file, `models["${key}"]`, key);
  }
  const cluster: Cluster = { nodes, models };
  if (data.downtime !== undefined) cluster.downtime = parseDowntime(data.downtime, file);
  return cluster;
}

function parseDowntime(d: unknown, file: string): Record<string, DowntimeEstimate> {
  const bad = (why: string) => new InputError(file, undefined, `downtime${why}`);
  if (!isObject(d)) throw bad(': expected an object of "workload" (or "*"): {frozenMs, workingSetMiB?}');
  const out: Record<string, DowntimeEstimate> = {};
  for (const [workload, e] of Object.entries(d)) {
    const where = `["${workload}"]`;
    if (!isObject(e)) throw bad(`${where}: expected {frozenMs, workingSetMiB?}`);
    for (const k of Object.keys(e)) if (k !== "frozenMs" && k !== "workingSetMiB") throw bad(`${where}: unknown field '${k}'`);
    const nonNegative = (x: unknown) => typeof x === "number" && Number.isFinite(x) && x >= 0;
    if (!nonNegative(e.frozenMs)) throw bad(`${where}.frozenMs must be a number >= 0`);
    if (e.workingSetMiB !== undefined && !nonNegative(e.workingSetMiB)) throw bad(`${where}.workingSetMiB must be a number >= 0`);
    out[workload] = { frozenMs: e.frozenMs as number, ...(e.workingSetMiB === undefined ? {} : { workingSetMiB: e.workingSetMiB as number }) };
  }
  return out;
}

function parseNode(n: unknown, file: string, where: string): NodeSpec {
  const bad = (why: string) => new InputError(file, undefined, `${where}: ${why}`);
  if (!isObject(n)) throw bad("expected {name, tier, cpus, netDelayMs}");
  const { name, tier, cpus, netDelayMs } = n;
  if (typeof name !== "string" || name === "") throw bad("name must be a non-empty string");
  if (tier !== "edge" && tier !== "cloud") throw bad(`(${name}) tier must be "edge" or "cloud"`);
  if (typeof cpus !== "number" || !(cpus >= 0.001) || !Number.isFinite(cpus)) throw bad(`(${name}) cpus must be a number >= 0.001`);
  if (typeof netDelayMs !== "number" || !(netDelayMs >= 0) || !Number.isFinite(netDelayMs))
    throw bad(`(${name}) netDelayMs must be a number >= 0`);
  const node: NodeSpec = { name, tier, cpus, netDelayMs };
  if (typeof n.endpoint === "string") node.endpoint = n.endpoint;
  return node;
}

function parseModel(m: unknown, file: string, where: string, key: string): LatencyModel {
  const bad = (why: string) => new InputError(file, undefined, `${where}: ${why}`);
  if (!/^[^/\s]+\/[^/\s]+$/.test(key)) throw bad('key must be "workload/inputClass"');
  if (!isObject(m)) throw bad("expected {kind, a, b}");
  if (m.kind !== "exponential" && m.kind !== "power") throw bad('kind must be "exponential" or "power"');
  if (typeof m.a !== "number" || !(m.a > 0) || !Number.isFinite(m.a)) throw bad("a must be a positive number");
  // b >= 0 means more CPU never helps: no share could be derived from a budget.
  if (typeof m.b !== "number" || !(m.b < 0) || !Number.isFinite(m.b)) throw bad("b must be a negative number");
  return { kind: m.kind, a: m.a, b: m.b };
}
