// The condition language's grammar (pure), by recursive descent:
//   or      := and ("or" and)*
//   and     := unary ("and" unary)*
//   unary   := "not" unary | compare
//   compare := operand (CMP operand | ["not"] "in" (list | name))?
//   operand := NUMBER | STRING | true | false | NAME | list | "(" or ")"
//   list    := "[" (literal ("," literal)*)? "]"
// Names must be declared (the policy's CONTEXT); operand types are checked
// against the variables' types, so that `service_type > 3` fails at load.
import type { CompareOp, Expr, Literal, Pos } from "./ast.js";
import { PolicySyntaxError } from "./errors.js";
import { type Token, tokenize } from "./lexer.js";
import { CONTEXT_VARIABLES, type VarType } from "./vocabulary.js";

type LiteralExpr = Extract<Expr, { kind: "literal" }>;
type StaticType = VarType | "boolean";

export function parseCondition(src: string, declared: ReadonlySet<string>): Expr {
  const p = new Parser(tokenize(src), declared);
  const e = p.or();
  p.expectEnd();
  return e;
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly declared: ReadonlySet<string>,
  ) {}

  private peek(): Token {
    return this.tokens[this.i]!;
  }
  private next(): Token {
    return this.tokens[this.i++]!;
  }
  private isWord(word: string): boolean {
    const t = this.peek();
    return t.kind === "keyword" && t.text === word;
  }
  private isPunct(p: string): boolean {
    const t = this.peek();
    return t.kind === "punct" && t.text === p;
  }
  private fail(t: Token, expected: string): never {
    const found = t.kind === "eof" ? "the end of the condition" : `'${t.kind === "string" ? t.text : t.text}'`;
    throw new PolicySyntaxError(`expected ${expected}, found ${found}`, t.pos);
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.kind !== "eof") this.fail(t, t.kind === "punct" && t.text === ")" ? "no ')' here (unbalanced parenthesis)" : "'and', 'or' or the end of the condition");
  }

  or(): Expr {
    return this.chain("or", () => this.and());
  }

  private and(): Expr {
    return this.chain("and", () => this.unary());
  }

  private chain(word: "and" | "or", sub: () => Expr): Expr {
    const first = sub();
    const operands = [first];
    while (this.isWord(word)) {
      this.next();
      operands.push(sub());
    }
    if (operands.length === 1) return first;
    for (const o of operands) this.expectBoolean(o, `'${word}'`);
    return { kind: word, operands, pos: first.pos, end: operands.at(-1)!.end };
  }

  private unary(): Expr {
    if (this.isWord("not")) {
      const t = this.next();
      const operand = this.unary();
      this.expectBoolean(operand, "'not'");
      return { kind: "not", operand, pos: t.pos, end: operand.end };
    }
    return this.compare();
  }

  private compare(): Expr {
    const left = this.operand();
    const t = this.peek();
    if (t.kind === "op") {
      this.next();
      const right = this.operand();
      const op = t.text as CompareOp;
      this.checkComparison(op, left, right, t.pos);
      return { kind: "compare", op, left, right, pos: left.pos, end: right.end };
    }
    const negated = this.isWord("not") && this.tokens[this.i + 1]?.kind === "keyword" && this.tokens[this.i + 1]?.text === "in";
    if (negated || this.isWord("in")) {
      if (negated) this.next();
      const inTok = this.next();
      const list = this.isPunct("[") ? this.list() : this.operand();
      if (this.typeOf(list) !== "list") throw new PolicySyntaxError("'in' needs a list [..] or a list variable (labels) on its right", list.pos);
      const itemType = this.typeOf(left);
      if (itemType !== "string" && itemType !== "number") throw new PolicySyntaxError(`'in' needs a number or a string on its left, not a ${itemType}`, left.pos);
      if (list.kind === "list") {
        for (const item of list.items) {
          if (typeof item.value !== itemType) throw new PolicySyntaxError(`list item ${JSON.stringify(item.value)} is not a ${itemType} like the left side`, item.pos);
        }
      } else if (itemType !== "string") {
        throw new PolicySyntaxError("a list variable holds strings: the left side of 'in' must be a string", inTok.pos);
      }
      return { kind: "in", negated, item: left, list, pos: left.pos, end: list.end };
    }
    return left;
  }

  private operand(): Expr {
    const t = this.peek();
    if (t.kind === "number" || t.kind === "string") {
      this.next();
      return { kind: "literal", value: t.value!, pos: t.pos, end: t.end };
    }
    if (t.kind === "keyword" && (t.text === "true" || t.text === "false")) {
      this.next();
      return { kind: "literal", value: t.text === "true", pos: t.pos, end: t.end };
    }
    if (t.kind === "name") {
      this.next();
      if (!this.declared.has(t.text)) {
        const known = CONTEXT_VARIABLES.has(t.text) ? " (add it to CONTEXT)" : "";
        throw new PolicySyntaxError(`undeclared name '${t.text}'${known}: a condition may use only the names in CONTEXT`, t.pos);
      }
      return { kind: "name", name: t.text, pos: t.pos, end: t.end };
    }
    if (this.isPunct("[")) return this.list();
    if (this.isPunct("(")) {
      const open = this.next();
      const inner = this.or();
      if (!this.isPunct(")")) this.fail(this.peek(), `')' to close the '(' at column ${open.pos.col}${open.pos.line > 1 ? ` of line ${open.pos.line}` : ""}`);
      const close = this.next();
      // The parenthesised node spans its parentheses, so that explanations show them.
      return { ...inner, pos: open.pos, end: close.end };
    }
    this.fail(t, "a number, a string, true, false, a name, '[' or '('");
  }

  private list(): Expr {
    const open = this.next();
    const items: LiteralExpr[] = [];
    if (!this.isPunct("]")) {
      for (;;) {
        const t = this.peek();
        if (t.kind !== "number" && t.kind !== "string") this.fail(t, "a number or a string in the list");
        this.next();
        items.push({ kind: "literal", value: t.value!, pos: t.pos, end: t.end });
        if (this.isPunct(",")) {
          this.next();
          continue;
        }
        break;
      }
    }
    if (!this.isPunct("]")) this.fail(this.peek(), "',' or ']'");
    const close = this.next();
    return { kind: "list", items, pos: open.pos, end: close.end };
  }

  private typeOf(e: Expr): StaticType {
    switch (e.kind) {
      case "literal":
        return typeof e.value as "number" | "string" | "boolean";
      case "list":
        return "list";
      case "name":
        return CONTEXT_VARIABLES.get(e.name)?.type ?? "number";
      default:
        return "boolean";
    }
  }

  private expectBoolean(e: Expr, where: string): void {
    const t = this.typeOf(e);
    if (t !== "boolean") throw new PolicySyntaxError(`${where} needs a condition, not a ${t}${e.kind === "name" ? ` ('${e.name}')` : ""}`, e.pos);
  }

  private checkComparison(op: CompareOp, left: Expr, right: Expr, at: Pos): void {
    const [a, b] = [this.typeOf(left), this.typeOf(right)];
    if (a === "list" || b === "list") throw new PolicySyntaxError(`'${op}' cannot compare a list (use 'in')`, at);
    if (a !== b) throw new PolicySyntaxError(`'${op}' compares a ${a} with a ${b}`, at);
    if (op !== "==" && op !== "!=" && a !== "number") throw new PolicySyntaxError(`'${op}' needs numbers, not ${a}s`, at);
  }
}

export type { Literal };
