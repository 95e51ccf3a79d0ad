// Generated inputs: any text either parses or fails with a PolicySyntaxError
// at a position inside it (never another error); and a generated condition,
// printed with minimal parentheses, evaluates as a direct evaluation of its
// tree does (precedence of not > and > or, and every comparison).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PolicySyntaxError } from "../../../../scheduler/policy/errors.js";
import { evaluate } from "../../../../scheduler/policy/evaluate.js";
import { parseCondition } from "../../../../scheduler/policy/parser.js";

const NAMES = new Set(["time_of_day", "source_cpu_utilization", "service_type"]);

type Gen = { kind: "cmp"; name: string; op: string; n: number } | { kind: "not"; e: Gen } | { kind: "and" | "or"; a: Gen; b: Gen };

const genExpr: fc.Arbitrary<Gen> = fc.letrec<{ e: Gen }>((tie) => ({
  e: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.record({ kind: fc.constant("cmp" as const), name: fc.constantFrom("time_of_day", "source_cpu_utilization"), op: fc.constantFrom("==", "!=", "<", "<=", ">", ">="), n: fc.integer({ min: 0, max: 4 }) }),
    fc.record({ kind: fc.constant("not" as const), e: tie("e") }),
    fc.record({ kind: fc.constantFrom("and" as const, "or" as const), a: tie("e"), b: tie("e") }),
  ),
})).e;

const LEVEL = { or: 0, and: 1, not: 2, cmp: 3 } as const;

/** Prints with parentheses only where precedence needs them. */
function print(g: Gen, outer = 0): string {
  const level = LEVEL[g.kind];
  let s: string;
  if (g.kind === "cmp") s = `${g.name} ${g.op} ${g.n}`;
  else if (g.kind === "not") s = `not ${print(g.e, LEVEL.not)}`;
  else s = `${print(g.a, level)} ${g.kind} ${print(g.b, level + 1)}`;
  return level < outer ? `(${s})` : s;
}

function direct(g: Gen, ctx: Map<string, number>): boolean {
  if (g.kind === "not") return !direct(g.e, ctx);
  if (g.kind === "and" || g.kind === "or") return g.kind === "and" ? direct(g.a, ctx) && direct(g.b, ctx) : direct(g.a, ctx) || direct(g.b, ctx);
  if (g.kind !== "cmp") throw new Error("unreachable");
  const v = ctx.get(g.name)!;
  const results: Record<string, boolean> = { "==": v === g.n, "!=": v !== g.n, "<": v < g.n, "<=": v <= g.n, ">": v > g.n, ">=": v >= g.n };
  return results[g.op]!;
}

describe("condition language under generated input", () => {
  it("any text parses or fails with a positioned PolicySyntaxError", () => {
    const alphabet = fc.constantFrom(..."time_of_day service_type 0123456789.()[],=<>!'\"\\andornotin true false \n\t&|x_".split(""));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.array(alphabet, { maxLength: 60 }).map((a) => a.join(""))), (src) => {
        try {
          parseCondition(src, NAMES);
        } catch (err) {
          expect(err).toBeInstanceOf(PolicySyntaxError);
          const { line, col, offset } = (err as PolicySyntaxError).pos;
          expect(line).toBeGreaterThanOrEqual(1);
          expect(col).toBeGreaterThanOrEqual(1);
          expect(offset).toBeLessThanOrEqual(src.length);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("a printed condition evaluates as its tree does", () => {
    fc.assert(
      fc.property(genExpr, fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), (g, t, c) => {
        const src = print(g);
        const ctx = new Map([
          ["time_of_day", t],
          ["source_cpu_utilization", c],
        ]);
        expect(evaluate(parseCondition(src, NAMES), src, ctx).value).toBe(direct(g, ctx));
      }),
      { numRuns: 2000 },
    );
  });
});
