// Evaluating a parsed condition against a context (pure). Only the tree's
// own nodes are interpreted: names are looked up in a Map, nothing else is
// reachable. Every sub-condition is evaluated (no short cut), so that the
// explanation shows each one's value; a comparison with an unknown value is
// false.
import { type Expr, sourceOf } from "./ast.js";
import type { ContextValue, PolicyContext } from "./vocabulary.js";

export interface Explained {
  /** The sub-condition as written. */
  text: string;
  value: boolean;
  /** Names it read that the context does not know. */
  unknown?: string[];
  children?: Explained[];
}

type Value = ContextValue | boolean;

export function evaluate(expr: Expr, src: string, ctx: PolicyContext): Explained {
  const text = sourceOf(src, expr);
  switch (expr.kind) {
    case "and":
    case "or": {
      const children = expr.operands.map((o) => evaluate(o, src, ctx));
      const value = expr.kind === "and" ? children.every((c) => c.value) : children.some((c) => c.value);
      return { text, value, children };
    }
    case "not": {
      const inner = evaluate(expr.operand, src, ctx);
      return { text, value: !inner.value, children: [inner] };
    }
    case "compare":
    case "in": {
      const unknown: string[] = [];
      const read = (e: Expr): Value => {
        if (e.kind === "name") {
          const v = ctx.get(e.name);
          if (v === undefined) unknown.push(e.name);
          return v;
        }
        if (e.kind === "literal") return e.value;
        if (e.kind === "list") return e.items.map((i) => String(i.value));
        return evaluate(e, src, ctx).value;
      };
      const value = expr.kind === "compare" ? compare(expr.op, read(expr.left), read(expr.right)) : member(expr, read(expr.item), read(expr.list));
      return unknown.length ? { text, value, unknown } : { text, value };
    }
    case "literal":
      // `true` and `false` stand alone; the parser lets no other operand do so.
      return { text, value: expr.value === true };
    case "name":
    case "list":
      return { text, value: false };
  }
}

function compare(op: string, a: Value, b: Value): boolean {
  if (a === undefined || b === undefined) return false;
  if (typeof a !== typeof b) return false;
  switch (op) {
    case "==":
      return a === b;
    case "!=":
      return a !== b;
  }
  if (typeof a !== "number" || typeof b !== "number") return false;
  if (op === "<") return a < b;
  if (op === "<=") return a <= b;
  if (op === ">") return a > b;
  return a >= b;
}

function member(expr: Extract<Expr, { kind: "in" }>, item: Value, list: Value): boolean {
  if (item === undefined || !Array.isArray(list)) return false;
  const found = expr.list.kind === "list" ? expr.list.items.some((i) => i.value === item) : list.includes(String(item));
  return expr.negated ? !found : found;
}
