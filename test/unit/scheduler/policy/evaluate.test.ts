import { describe, expect, it } from "vitest";
import { evaluate } from "../../../../scheduler/policy/evaluate.js";
import { parseCondition } from "../../../../scheduler/policy/parser.js";
import { CONTEXT_VARIABLES, type ContextValue } from "../../../../scheduler/policy/vocabulary.js";

const ALL = new Set(CONTEXT_VARIABLES.keys());
const run = (src: string, ctx: Record<string, ContextValue>) => evaluate(parseCondition(src, ALL), src, new Map(Object.entries(ctx)));

describe("condition evaluator", () => {
  it("compares numbers and strings, and folds and/or/not", () => {
    const ctx = { time_of_day: 19, service_type: "critical", source_cpu_utilization: 85 };
    expect(run('time_of_day >= 18 and time_of_day <= 22 and service_type == "critical"', ctx).value).toBe(true);
    expect(run("time_of_day > 19", ctx).value).toBe(false);
    expect(run("time_of_day < 19.5 and not source_cpu_utilization != 85", ctx).value).toBe(true);
    expect(run('service_type != "critical" or source_cpu_utilization > 90', ctx).value).toBe(false);
    expect(run("true and not false", ctx).value).toBe(true);
    expect(run("(time_of_day > 1) == true", ctx).value).toBe(true);
  });

  it("evaluates in and not in, over literals and the labels list", () => {
    const ctx = { service_type: "web", time_of_day: 2, labels: ["tier=gold", "team=a"] };
    expect(run('service_type in ["web", "api"]', ctx).value).toBe(true);
    expect(run('service_type not in ["web"]', ctx).value).toBe(false);
    expect(run("time_of_day in [1, 2, 3]", ctx).value).toBe(true);
    expect(run('"tier=gold" in labels and "team=b" not in labels', ctx).value).toBe(true);
    expect(run("service_type in []", ctx).value).toBe(false);
  });

  it("explains every sub-condition with its value, and marks unknown names", () => {
    const src = "(source_cpu_utilization > 80 and destination_cpu_utilization < 50) or network_congestion_prob < 0.2";
    const r = run(src, { source_cpu_utilization: 85, destination_cpu_utilization: 60 });
    expect(r).toEqual({
      text: src,
      value: false,
      children: [
        {
          text: "(source_cpu_utilization > 80 and destination_cpu_utilization < 50)",
          value: false,
          children: [
            { text: "source_cpu_utilization > 80", value: true },
            { text: "destination_cpu_utilization < 50", value: false },
          ],
        },
        { text: "network_congestion_prob < 0.2", value: false, unknown: ["network_congestion_prob"] },
      ],
    });
  });

  it("treats any comparison with an unknown value as false, both ways", () => {
    expect(run("time_of_day < 5", {}).value).toBe(false);
    expect(run("time_of_day >= 5", {}).value).toBe(false);
    expect(run("service_type not in ['a']", {}).value).toBe(false);
    expect(run('"x" in labels', {}).value).toBe(false);
  });

  it("reads only the context map: a context object's prototype is never consulted", () => {
    // Object.prototype pollution would show up as a value here if the evaluator read plain objects.
    const proto = Object.prototype as Record<string, unknown>;
    proto.time_of_day = 99;
    try {
      expect(run("time_of_day > 50", {}).value).toBe(false);
    } finally {
      delete proto.time_of_day;
    }
  });
});
