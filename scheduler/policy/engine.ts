// Which policy decides a move (pure): highest PRIORITY first (file order on
// ties), the first whose CONDITIONS hold; none matching gives the file's
// default. The answer says which policy decided, why, and each policy's
// sub-condition values up to the decision.
import type { Expr } from "./ast.js";
import { DEFAULT_EFFECTS, type PolicyAction, type PolicyConstraints, type PolicyEffects } from "./actions.js";
import { evaluate, type Explained } from "./evaluate.js";
import type { PolicyContext } from "./vocabulary.js";

export interface Policy {
  name: string;
  context: string[];
  /** The condition as written, and where it starts in the file. */
  conditions: string;
  at: { line: number; col: number };
  expr: Expr;
  actions: PolicyAction[];
  constraints: PolicyConstraints;
  priority: number;
  effects: PolicyEffects;
}

export interface PolicySet {
  /** What happens when no policy matches. */
  defaultAction: "allow" | "deny";
  /** Sorted: highest priority first, file order on ties. */
  policies: Policy[];
}

export interface Decision {
  /** The policy that decided; null when none matched (the default did). */
  policy: string | null;
  effects: PolicyEffects;
  /** One line: which policy and why. */
  reason: string;
  /** Each policy tried, in order, with its sub-conditions. */
  trace: Array<{ policy: string; priority: number; result: Explained }>;
}

export function sortPolicies(policies: Policy[]): Policy[] {
  return policies.map((p, i) => ({ p, i })).sort((a, b) => b.p.priority - a.p.priority || a.i - b.i).map(({ p }) => p);
}

export function decide(set: PolicySet, ctx: PolicyContext): Decision {
  const trace: Decision["trace"] = [];
  for (const p of set.policies) {
    // Each policy sees only the names it declared.
    const own = new Map([...ctx].filter(([k]) => p.context.includes(k)));
    const result = evaluate(p.expr, p.conditions, own);
    trace.push({ policy: p.name, priority: p.priority, result });
    if (!result.value) continue;
    const held = result.children?.filter((c) => c.value).map((c) => c.text) ?? [result.text];
    const verb = p.effects.allow ? "allows" : "denies";
    return {
      policy: p.name,
      effects: p.effects,
      reason: `policy ${p.name} (priority ${p.priority}) ${verb} the move: ${result.children && p.expr.kind === "or" ? held.join(" or ") : result.text} holds (${describe(own, p.context)})`,
      trace,
    };
  }
  const allow = set.defaultAction === "allow";
  return {
    policy: null,
    effects: { ...DEFAULT_EFFECTS, allow },
    reason: `no policy matched (${set.policies.length} tried): the default ${allow ? "allows" : "denies"} the move`,
    trace,
  };
}

/** `name=value, ...` of the declared names (unknown ones shown as such). */
export function describe(ctx: PolicyContext, names: string[]): string {
  return names.map((n) => `${n}=${formatValue(ctx.get(n))}`).join(", ");
}

function formatValue(v: unknown): string {
  if (v === undefined) return "unknown";
  if (typeof v === "number") return String(Math.round(v * 1000) / 1000);
  return JSON.stringify(v);
}
