// A testbed scenario, as its file (YAML or JSON) states it after validation.
// The file's format is documented by mininet/scenarios/scenario.schema.json.
import type { WanSpec } from "../definition.js";

export const SCENARIO_KINDS = ["saturate", "fsm", "strategies", "policies", "group"] as const;
export type ScenarioKind = (typeof SCENARIO_KINDS)[number];
export const STRATEGIES = ["auto", "postcopy", "stopcopy", "precopy", "docker"] as const;
export type ScenarioStrategy = (typeof STRATEGIES)[number];
/** The FSM scenarios: success, and a failure injected in each state. */
export const FSM_CASES = ["success", "PENDING", "PLANNING", "PREPARATION", "EXECUTION", "VERIFICATION"] as const;
export type FsmCase = (typeof FSM_CASES)[number];

/** Devices of one kind: `count` of them, arriving `spacingS` apart from `startS` (plus seeded jitter). */
export interface DeviceGroup {
  prefix: string;
  count: number;
  workload: string;
  input: string;
  budgetMs: number;
  startS: number;
  spacingS: number;
  /** Each arrival moves by a seeded uniform amount in [0, jitterS). */
  jitterS: number;
  /** Requests per second per device. */
  rate: number;
  /** When its device stops and releases its task (absent: at the scenario's end). */
  releaseS?: number;
}

export interface Scenario {
  name: string;
  kind: ScenarioKind;
  description: string;
  seed: number;
  durationS: number;
  wan: Partial<WanSpec>;
  /** Cores per node, overriding the testbed definition. */
  cpus: Record<string, number>;
  /** The scheduler's placement policy (policies: the list compared). */
  policy: string;
  policies: string[];
  strategy: ScenarioStrategy;
  strategies: ScenarioStrategy[];
  /** Working-set sizes for `strategies`, MiB. */
  sizesMiB: number[];
  /** A samples CSV the scheduler fits its models from (absent: the embedded models). */
  samples?: string;
  devices: DeviceGroup[];
  /** fsm: the cases, injected one after another in this order. */
  faults: FsmCase[];
  /** Seconds the scheduler keeps a task before moving it again. */
  minResidenceS: number;
}
