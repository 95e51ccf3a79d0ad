// The scheduler's input files, checked before anything listens: a cluster file
// ({"nodes": [...], "models": {...}}) and a models file (the same "models"
// object, alone or wrapped). Errors name the file and the bad entry.
import type { LatencyModel } from "../../src/latency/model.js";
import type { ModelTable, NodeSpec } from "../placement/types.js";

export class ConfigError extends Error {
  override name = "ConfigError";
}

export interface ClusterFile {
  nodes: NodeSpec[];
  models?: ModelTable;
}

export function parseClusterFile(text: string, file: string): ClusterFile {
  const data = parseJson(text, file);
  if (!isObject(data) || !Array.isArray(data.nodes)) throw new ConfigError(`${file}: expected {"nodes": [...], "models"?: {...}}`);
  const names = new Set<string>();
  const nodes = data.nodes.map((n, i) => {
    const node = parseNode(n, `${file}: nodes[${i}]`);
    if (names.has(node.name)) throw new ConfigError(`${file}: nodes[${i}]: duplicate node name '${node.name}'`);
    names.add(node.name);
    return node;
  });
  return data.models === undefined ? { nodes } : { nodes, models: parseModels(data.models, `${file}: models`) };
}

/** A models file: `{"detect/small": {"kind": "exponential", "a": 900, "b": -2.1}}`, or that under "models". */
export function parseModelsFile(text: string, file: string): ModelTable {
  const data = parseJson(text, file);
  const table = isObject(data) && isObject(data.models) ? data.models : data;
  return parseModels(table, file);
}

function parseModels(data: unknown, where: string): ModelTable {
  if (!isObject(data)) throw new ConfigError(`${where}: expected an object of "workload/inputClass": model`);
  const out: ModelTable = {};
  for (const [key, m] of Object.entries(data)) {
    if (!/^[^/\s]+\/[^/\s]+$/.test(key)) throw new ConfigError(`${where}: key '${key}' is not "workload/inputClass"`);
    out[key] = parseModel(m, `${where}: ${key}`);
  }
  if (Object.keys(out).length === 0) throw new ConfigError(`${where}: no models`);
  return out;
}

function parseModel(m: unknown, where: string): LatencyModel {
  if (!isObject(m)) throw new ConfigError(`${where}: expected {kind, a, b}`);
  if (m.kind !== "exponential" && m.kind !== "power") throw new ConfigError(`${where}: kind must be "exponential" or "power"`);
  if (typeof m.a !== "number" || !(m.a > 0) || !Number.isFinite(m.a)) throw new ConfigError(`${where}: a must be a positive number`);
  // b >= 0 would mean more CPU never helps: no share could ever be computed from a budget.
  if (typeof m.b !== "number" || !(m.b < 0) || !Number.isFinite(m.b)) throw new ConfigError(`${where}: b must be a negative number`);
  return { ...m, kind: m.kind, a: m.a, b: m.b };
}

function parseNode(n: unknown, where: string): NodeSpec {
  if (!isObject(n)) throw new ConfigError(`${where}: expected {name, tier, cpus, netDelayMs, endpoint?}`);
  const { name, tier, cpus, netDelayMs, endpoint } = n;
  if (typeof name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name)) throw new ConfigError(`${where}: bad name`);
  if (tier !== "edge" && tier !== "cloud") throw new ConfigError(`${where} (${name}): tier must be "edge" or "cloud"`);
  if (typeof cpus !== "number" || !(cpus > 0)) throw new ConfigError(`${where} (${name}): cpus must be a positive number`);
  if (typeof netDelayMs !== "number" || !(netDelayMs >= 0)) throw new ConfigError(`${where} (${name}): netDelayMs must be a number >= 0`);
  if (endpoint !== undefined && (typeof endpoint !== "string" || !/^https?:\/\//.test(endpoint))) {
    throw new ConfigError(`${where} (${name}): endpoint must be an http(s) URL`);
  }
  return { name, tier, cpus, netDelayMs, ...(endpoint === undefined ? {} : { endpoint: endpoint as string }) };
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file}: not valid JSON (${(err as Error).message})`);
  }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}
