// Reads a scenario file (YAML or JSON) and checks it field by field; every
// problem is one line naming the file and the field (FILE: devices[1].budgetMs: ...).
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { type DeviceGroup, FSM_CASES, type FsmCase, SCENARIO_KINDS, type Scenario, type ScenarioKind, STRATEGIES, type ScenarioStrategy } from "./types.js";

export class ScenarioError extends Error {
  override readonly name = "ScenarioError";
}

/** The scheduler's placement policies (scheduler/placement/policies.ts; a unit test keeps the two lists equal). */
export const PLACEMENT_POLICIES = ["delay-aware", "random", "round-robin", "least-loaded", "edge-first"];
const FIELDS = ["$schema", "name", "kind", "description", "seed", "durationS", "wan", "cpus", "policy", "policies", "strategy", "strategies", "sizesMiB", "samples", "devices", "faults", "minResidenceS"];
const DEVICE_FIELDS = ["prefix", "count", "workload", "input", "budgetMs", "startS", "spacingS", "jitterS", "rate", "releaseS"];

export function validateScenario(raw: unknown, where: string, knownPolicies: readonly string[] = PLACEMENT_POLICIES): Scenario {
  const bad = (path: string, why: string): never => {
    throw new ScenarioError(`${where}: ${path}: ${why}`);
  };
  const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
  if (!isObj(raw)) bad("(top)", "must be a mapping of fields");
  const d = raw as Record<string, unknown>;
  for (const k of Object.keys(d)) if (!FIELDS.includes(k)) bad(k, `unknown field (known: ${FIELDS.slice(1).join(", ")})`);
  const num = (v: unknown, path: string, min: number, max: number, dflt?: number): number => {
    if (v === undefined && dflt !== undefined) return dflt;
    return typeof v === "number" && Number.isFinite(v) && v >= min && v <= max ? v : bad(path, `must be a number in ${min}-${max}, got ${JSON.stringify(v)}`);
  };
  const int = (v: unknown, path: string, min: number, max: number, dflt?: number): number => {
    const n = num(v, path, min, max, dflt);
    return Number.isInteger(n) ? n : bad(path, `must be an integer, got ${n}`);
  };
  const str = (v: unknown, path: string, re: RegExp, dflt?: string): string => {
    if (v === undefined && dflt !== undefined) return dflt;
    return typeof v === "string" && re.test(v) ? v : bad(path, `must be a string matching ${re}, got ${JSON.stringify(v)}`);
  };
  const oneOf = <T extends string>(v: unknown, path: string, allowed: readonly T[], dflt?: T): T => {
    if (v === undefined && dflt !== undefined) return dflt;
    return allowed.includes(v as T) ? (v as T) : bad(path, `must be one of ${allowed.join(", ")}, got ${JSON.stringify(v)}`);
  };
  const list = <T>(v: unknown, path: string, item: (x: unknown, p: string) => T, dflt: T[], max = 64): T[] => {
    if (v === undefined) return dflt;
    if (!Array.isArray(v) || v.length > max) bad(path, `must be a list of at most ${max}`);
    return (v as unknown[]).map((x, i) => item(x, `${path}[${i}]`));
  };

  const name = str(d.name, "name", /^[a-z][a-z0-9-]{0,40}$/);
  const kind = oneOf<ScenarioKind>(d.kind, "kind", SCENARIO_KINDS);
  const durationS = num(d.durationS, "durationS", 1, 3600);
  let wan: Scenario["wan"] = {};
  if (d.wan !== undefined) {
    if (!isObj(d.wan)) bad("wan", "must be a mapping");
    const w = d.wan as Record<string, unknown>;
    for (const k of Object.keys(w)) if (!["delayMs", "bandwidthMbit", "queueFrames"].includes(k)) bad(`wan.${k}`, "unknown field (delayMs, bandwidthMbit, queueFrames)");
    wan = {
      ...(w.delayMs !== undefined ? { delayMs: num(w.delayMs, "wan.delayMs", 0, 5000) } : {}),
      ...(w.bandwidthMbit !== undefined ? { bandwidthMbit: num(w.bandwidthMbit, "wan.bandwidthMbit", 0, 10_000) } : {}),
      ...(w.queueFrames !== undefined ? { queueFrames: int(w.queueFrames, "wan.queueFrames", 1, 1_000_000) } : {}),
    };
  }
  const cpus: Record<string, number> = {};
  if (d.cpus !== undefined) {
    if (!isObj(d.cpus)) bad("cpus", "must map node names to cores");
    for (const [n, v] of Object.entries(d.cpus as Record<string, unknown>)) cpus[n] = num(v, `cpus.${n}`, 0.05, 256);
  }
  const device = (x: unknown, p: string): DeviceGroup => {
    if (!isObj(x)) bad(p, "must be a mapping");
    const g = x as Record<string, unknown>;
    for (const k of Object.keys(g)) if (!DEVICE_FIELDS.includes(k)) bad(`${p}.${k}`, `unknown field (known: ${DEVICE_FIELDS.join(", ")})`);
    const out: DeviceGroup = {
      prefix: str(g.prefix, `${p}.prefix`, /^[a-z][a-z0-9-]{0,20}$/),
      count: int(g.count, `${p}.count`, 1, 100),
      workload: str(g.workload, `${p}.workload`, /^[a-z][a-z0-9-]{0,40}$/, "detect"),
      input: str(g.input, `${p}.input`, /^[a-z]+$/, "small"),
      budgetMs: num(g.budgetMs, `${p}.budgetMs`, 1, 60_000),
      startS: num(g.startS, `${p}.startS`, 0, 3600, 0),
      spacingS: num(g.spacingS, `${p}.spacingS`, 0, 3600, 1),
      jitterS: num(g.jitterS, `${p}.jitterS`, 0, 3600, 0),
      rate: num(g.rate, `${p}.rate`, 0.1, 100, 2),
    };
    if (g.releaseS !== undefined) out.releaseS = num(g.releaseS, `${p}.releaseS`, 0, 3600);
    if (out.releaseS !== undefined && out.releaseS <= out.startS) bad(`${p}.releaseS`, `must come after startS (${out.startS})`);
    return out;
  };
  const devices = list(d.devices, "devices", device, []);
  const prefixes = new Set<string>();
  devices.forEach((g, i) => {
    if (prefixes.has(g.prefix)) bad(`devices[${i}].prefix`, `'${g.prefix}' is used twice`);
    prefixes.add(g.prefix);
  });
  const policy = oneOf(d.policy, "policy", knownPolicies, "delay-aware");
  const scenario: Scenario = {
    name,
    kind,
    description: d.description === undefined ? "" : str(d.description, "description", /^[\s\S]{0,2000}$/),
    seed: int(d.seed, "seed", 0, 2 ** 31 - 1),
    durationS,
    wan,
    cpus,
    policy,
    policies: list(d.policies, "policies", (x, p) => oneOf(x, p, knownPolicies), [policy]),
    strategy: oneOf<ScenarioStrategy>(d.strategy, "strategy", STRATEGIES, "auto"),
    strategies: list(d.strategies, "strategies", (x, p) => oneOf<ScenarioStrategy>(x, p, STRATEGIES), []),
    sizesMiB: list(d.sizesMiB, "sizesMiB", (x, p) => int(x, p, 1, 16_384), []),
    devices,
    faults: list(d.faults, "faults", (x, p) => oneOf<FsmCase>(x, p, FSM_CASES), []),
    minResidenceS: num(d.minResidenceS, "minResidenceS", 0, 3600, 0),
  };
  if (d.samples !== undefined) scenario.samples = str(d.samples, "samples", /^[^\0]{1,400}$/);
  if ((kind === "saturate" || kind === "policies") && devices.length === 0) bad("devices", `a ${kind} scenario needs devices`);
  if (kind === "fsm" && scenario.faults.length === 0) bad("faults", "an fsm scenario lists its cases (success, PENDING, PLANNING, PREPARATION, EXECUTION, VERIFICATION)");
  if (kind === "strategies" && (scenario.strategies.length === 0 || scenario.sizesMiB.length === 0)) bad("strategies", "a strategies scenario lists strategies and sizesMiB");
  if (kind === "group" && scenario.strategy === "docker") bad("strategy", "a group's members are the scheduler's tasks: docker cannot move them (stopcopy, postcopy, precopy or auto)");
  return scenario;
}

export function loadScenario(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ScenarioError(`${path}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ScenarioError(`${path}: not valid ${/\.json$/i.test(path) ? "JSON" : "YAML"}: ${(err as Error).message.split("\n")[0]}`);
  }
  return validateScenario(raw, path);
}
