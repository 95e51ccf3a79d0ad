// A policy's ACTIONS and CONSTRAINTS (pure): parsed from their written form
// (`set_priority("high")`) with the condition language's tokens, checked
// against the known actions and their arguments.
import { PolicySyntaxError } from "./errors.js";
import { tokenize } from "./lexer.js";

export const PRIORITIES = ["low", "normal", "high"] as const;
export type QueuePriority = (typeof PRIORITIES)[number];
export const REQUIRABLE_STRATEGIES = ["postcopy", "precopy", "stopcopy"] as const;
export type RequiredStrategy = (typeof REQUIRABLE_STRATEGIES)[number];

export type PolicyAction =
  | { kind: "allow_migration" }
  | { kind: "deny_migration" }
  | { kind: "set_priority"; priority: QueuePriority }
  | { kind: "require_strategy"; strategy: RequiredStrategy }
  | { kind: "trigger_load_balancer_reconfiguration" }
  | { kind: "notify"; message: string };

const NO_ARGUMENT = new Set(["allow_migration", "deny_migration", "trigger_load_balancer_reconfiguration"]);
const ONE_STRING = new Set(["set_priority", "require_strategy", "notify"]);
export const ACTION_NAMES = [...NO_ARGUMENT, ...ONE_STRING];

/** Parses one written action; errors carry the position inside it. */
export function parseAction(src: string): PolicyAction {
  const t = tokenize(src);
  const name = t[0]!;
  if (name.kind !== "name") throw new PolicySyntaxError(`expected an action name (${ACTION_NAMES.join(", ")})`, name.pos);
  if (NO_ARGUMENT.has(name.text)) {
    if (t[1]!.kind !== "eof") throw new PolicySyntaxError(`${name.text} takes no argument`, t[1]!.pos);
    return { kind: name.text } as PolicyAction;
  }
  if (!ONE_STRING.has(name.text)) throw new PolicySyntaxError(`unknown action '${name.text}' (known: ${ACTION_NAMES.join(", ")})`, name.pos);
  const [open, arg, close, end] = [t[1]!, t[2], t[3], t[4]];
  if (open.text !== "(" || open.kind !== "punct") throw new PolicySyntaxError(`${name.text} needs one string argument: ${name.text}("...")`, open.pos);
  if (arg?.kind !== "string") {
    const hint = arg?.kind === "name" ? `: quote it, ${name.text}("${arg.text}")` : "";
    throw new PolicySyntaxError(`${name.text} needs one string argument${hint}`, (arg ?? open).pos);
  }
  if (close?.kind !== "punct" || close.text !== ")") throw new PolicySyntaxError("expected ')' after the argument", (close ?? arg).pos);
  if (end?.kind !== "eof") throw new PolicySyntaxError("unexpected text after the action", (end ?? close).pos);
  const value = String(arg.value);
  if (name.text === "set_priority") {
    if (!(PRIORITIES as readonly string[]).includes(value)) throw new PolicySyntaxError(`set_priority takes ${PRIORITIES.join(", ")}, not "${value}"`, arg.pos);
    return { kind: "set_priority", priority: value as QueuePriority };
  }
  if (name.text === "require_strategy") {
    if (!(REQUIRABLE_STRATEGIES as readonly string[]).includes(value)) {
      throw new PolicySyntaxError(`require_strategy takes ${REQUIRABLE_STRATEGIES.join(", ")}, not "${value}"`, arg.pos);
    }
    return { kind: "require_strategy", strategy: value as RequiredStrategy };
  }
  if (value.length === 0 || value.length > 500) throw new PolicySyntaxError("notify needs a message of 1 to 500 characters", arg.pos);
  return { kind: "notify", message: value };
}

export interface PolicyConstraints {
  /** The move waits in the queue while this many moves are past PENDING. */
  max_concurrent_migrations?: number;
  /** Seconds from PLANNING; past it the move is rolled back. */
  migration_duration?: number;
  /** The agent's transfer is throttled to this many megabits per second. */
  max_bandwidth_mbps?: number;
}

export const CONSTRAINT_RULES: Record<keyof PolicyConstraints, { integer: boolean; min: number; max: number; doc: string }> = {
  max_concurrent_migrations: { integer: true, min: 1, max: 1000, doc: "moves past PENDING at once (the move waits in the queue otherwise)" },
  migration_duration: { integer: false, min: 1, max: 86_400, doc: "seconds from PLANNING; past it the move is rolled back" },
  max_bandwidth_mbps: { integer: false, min: 0.001, max: 1_000_000, doc: "the agent's image transfer is throttled to this rate" },
};

/** What a deciding policy asks of the move, folded from its actions and constraints. */
export interface PolicyEffects {
  allow: boolean;
  priority: QueuePriority;
  requireStrategy?: RequiredStrategy;
  gradualRedirect: boolean;
  notify: string[];
  constraints: PolicyConstraints;
}

/** Folds the actions; errors name the conflicting pair. */
export function effectsOf(actions: PolicyAction[], constraints: PolicyConstraints): PolicyEffects {
  const e: PolicyEffects = { allow: true, priority: "normal", gradualRedirect: false, notify: [], constraints: { ...constraints } };
  const seen = new Set<string>();
  for (const a of actions) {
    if (seen.has(a.kind) && a.kind !== "notify") throw new Error(`${a.kind} given twice`);
    seen.add(a.kind);
    if (a.kind === "deny_migration") e.allow = false;
    else if (a.kind === "set_priority") e.priority = a.priority;
    else if (a.kind === "require_strategy") e.requireStrategy = a.strategy;
    else if (a.kind === "trigger_load_balancer_reconfiguration") e.gradualRedirect = true;
    else if (a.kind === "notify") e.notify.push(a.message);
  }
  if (seen.has("allow_migration") && seen.has("deny_migration")) throw new Error("allow_migration and deny_migration together");
  return e;
}

export const DEFAULT_EFFECTS: PolicyEffects = { allow: true, priority: "normal", gradualRedirect: false, notify: [], constraints: {} };
