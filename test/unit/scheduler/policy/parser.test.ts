import { describe, expect, it } from "vitest";
import type { Expr } from "../../../../scheduler/policy/ast.js";
import { PolicySyntaxError } from "../../../../scheduler/policy/errors.js";
import { evaluate } from "../../../../scheduler/policy/evaluate.js";
import { parseCondition } from "../../../../scheduler/policy/parser.js";

const ALL = new Set(["source_cpu_utilization", "destination_cpu_utilization", "time_of_day", "service_type", "labels", "network_congestion_prob"]);

/** The tree as a compact string: (or a (and b c)). */
function shape(e: Expr): string {
  switch (e.kind) {
    case "and":
    case "or":
      return `(${e.kind} ${e.operands.map(shape).join(" ")})`;
    case "not":
      return `(not ${shape(e.operand)})`;
    case "compare":
      return `(${e.op} ${shape(e.left)} ${shape(e.right)})`;
    case "in":
      return `(${e.negated ? "not-in" : "in"} ${shape(e.item)} ${shape(e.list)})`;
    case "list":
      return `[${e.items.map(shape).join(",")}]`;
    case "name":
      return e.name;
    case "literal":
      return JSON.stringify(e.value);
  }
}

const parse = (s: string) => shape(parseCondition(s, ALL));

function errorOf(src: string, declared = ALL): { message: string; line: number; col: number } {
  try {
    parseCondition(src, declared);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicySyntaxError);
    const e = err as PolicySyntaxError;
    return { message: e.message, line: e.pos.line, col: e.pos.col };
  }
  throw new Error(`parsed: ${src}`);
}

describe("condition grammar", () => {
  it("binds not tighter than and, and tighter than or; parentheses override", () => {
    expect(parse("time_of_day > 1 or time_of_day < 2 and not time_of_day == 3")).toBe(
      "(or (> time_of_day 1) (and (< time_of_day 2) (not (== time_of_day 3))))",
    );
    expect(parse("(time_of_day > 1 or time_of_day < 2) and time_of_day != 3")).toBe("(and (or (> time_of_day 1) (< time_of_day 2)) (!= time_of_day 3))");
    expect(parse("not not (time_of_day >= 1)")).toBe("(not (not (>= time_of_day 1)))");
    expect(parse("a_ == 1 or true".replace("a_", "time_of_day"))).toBe("(or (== time_of_day 1) true)");
  });

  it("parses the issue's example condition", () => {
    expect(
      parse(
        '(source_cpu_utilization > 80 and destination_cpu_utilization < 50) or (time_of_day >= 18 and time_of_day <= 22 and service_type == "critical") or (network_congestion_prob < 0.2)',
      ),
    ).toBe(
      '(or (and (> source_cpu_utilization 80) (< destination_cpu_utilization 50)) (and (>= time_of_day 18) (<= time_of_day 22) (== service_type "critical")) (< network_congestion_prob 0.2))',
    );
  });

  it("parses in and not in over list literals and a list variable", () => {
    expect(parse('service_type in ["a", "b"]')).toBe('(in service_type ["a","b"])');
    expect(parse("time_of_day not in [1, 2.5, .5]")).toBe("(not-in time_of_day [1,2.5,0.5])");
    expect(parse('not service_type in []')).toBe("(not (in service_type []))");
    expect(parse('"tier=gold" in labels')).toBe('(in "tier=gold" labels)');
  });

  it("decodes string escapes in both quote styles", () => {
    const e = parseCondition(String.raw`service_type == "a\"b\\c\n\u00e9" or service_type == 'it\'s'`, ALL) as Extract<Expr, { operands: Expr[] }>;
    const [a, b] = e.operands as Array<Extract<Expr, { kind: "compare" }>>;
    expect((a!.right as { value: string }).value).toBe('a"b\\c\né');
    expect((b!.right as { value: string }).value).toBe("it's");
  });

  it("reports syntax errors with line and column", () => {
    expect(errorOf("time_of_day >")).toMatchObject({ line: 1, col: 14, message: expect.stringMatching(/expected a number.*found the end/) });
    expect(errorOf("time_of_day > 1 and\n  (time_of_day < 3")).toMatchObject({ line: 2, col: 19, message: expect.stringMatching(/expected '\)' to close the '\(' at column 3 of line 2/) });
    expect(errorOf("time_of_day = 3")).toMatchObject({ line: 1, col: 13, message: expect.stringMatching(/use '==' to compare/) });
    expect(errorOf("time_of_day > 1 && time_of_day < 2")).toMatchObject({ col: 17, message: expect.stringMatching(/use 'and', 'or', 'not'/) });
    expect(errorOf('service_type == "open')).toMatchObject({ col: 17, message: "unterminated string" });
    expect(errorOf(String.raw`service_type == "a\qb"`)).toMatchObject({ col: 19, message: expect.stringMatching(/unknown escape '\\q'/) });
    expect(errorOf("time_of_day > 1)")).toMatchObject({ col: 16, message: expect.stringMatching(/unbalanced/) });
    expect(errorOf("time_of_day > 12abc")).toMatchObject({ col: 15, message: expect.stringMatching(/malformed number/) });
    expect(errorOf("")).toMatchObject({ line: 1, col: 1 });
  });

  it("refuses undeclared names with their position, even JavaScript's own", () => {
    expect(errorOf("time_of_day > 1 and cpu > 3")).toMatchObject({ line: 1, col: 21, message: expect.stringMatching(/undeclared name 'cpu'/) });
    expect(errorOf("service_type == 'x'", new Set(["time_of_day"]))).toMatchObject({ col: 1, message: expect.stringMatching(/undeclared name 'service_type' \(add it to CONTEXT\)/) });
    for (const name of ["constructor", "__proto__", "toString", "prototype", "hasOwnProperty", "process", "globalThis"]) {
      expect(errorOf(`${name} == 1`).message).toMatch(new RegExp(`undeclared name '${name}'`));
    }
    // Declared or not, a name that is not a context variable has no value: an evaluator never reaches an object's properties.
    const declared = new Set(["constructor", "__proto__", "toString"]);
    const e = parseCondition("constructor == 1 or __proto__ == 2 or toString > 0", declared);
    expect(evaluate(e, "", new Map()).value).toBe(false);
  });

  it("checks operand types: order comparisons need numbers, both sides one type, and/or/not need conditions", () => {
    expect(errorOf('service_type > "a"').message).toMatch(/'>' needs numbers, not strings/);
    expect(errorOf("service_type == 3")).toMatchObject({ col: 14, message: expect.stringMatching(/compares a string with a number/) });
    expect(errorOf("time_of_day and true").message).toMatch(/'and' needs a condition, not a number \('time_of_day'\)/);
    expect(errorOf("not service_type").message).toMatch(/'not' needs a condition/);
    expect(errorOf("time_of_day in [1, 'a']")).toMatchObject({ col: 20, message: expect.stringMatching(/list item "a" is not a number/) });
    expect(errorOf("time_of_day in labels").message).toMatch(/left side of 'in' must be a string/);
    expect(errorOf("labels == 1").message).toMatch(/cannot compare a list/);
    expect(errorOf("time_of_day in service_type").message).toMatch(/'in' needs a list/);
  });
});
