// The condition language's syntax tree (pure). Every node keeps where it
// starts in the condition text, so that errors and explanations point at it.

/** 1-based line and column inside the condition text, and the 0-based offset. */
export interface Pos {
  line: number;
  col: number;
  offset: number;
}

export type Literal = string | number | boolean;

export type CompareOp = "==" | "!=" | "<" | "<=" | ">" | ">=";

export type Expr =
  | { kind: "literal"; value: Literal; pos: Pos; end: number }
  | { kind: "list"; items: Array<Extract<Expr, { kind: "literal" }>>; pos: Pos; end: number }
  | { kind: "name"; name: string; pos: Pos; end: number }
  | { kind: "not"; operand: Expr; pos: Pos; end: number }
  | { kind: "and" | "or"; operands: Expr[]; pos: Pos; end: number }
  | { kind: "compare"; op: CompareOp; left: Expr; right: Expr; pos: Pos; end: number }
  | { kind: "in"; negated: boolean; item: Expr; list: Expr; pos: Pos; end: number };

/** The source text of a node (for explanations). */
export function sourceOf(text: string, e: Expr): string {
  return text.slice(e.pos.offset, e.end).trim();
}
