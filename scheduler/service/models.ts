// Models: the latency models the policy places with, keyed `workload/inputClass`,
// so that clients (and the demo) can pick budgets the models can meet. Each
// class says where its model came from (the profile, or a refit from measured
// latency: samples.ts), its held-out R², and how far measurements are from it.
import type { FastifyPluginAsync } from "fastify";
import type { ModelView } from "../../src/api-types/scheduler.js";
import type { ServiceContext } from "./context.js";
import { liveLatencyOf } from "./samples.js";

const quantiles = { type: "object", properties: { p50: { type: ["number", "null"] }, p95: { type: ["number", "null"] } } } as const;

const modelViewSchema = {
  type: "object",
  required: ["kind", "a", "b", "source", "r2", "samples", "measuredError", "e2eMs", "processingMs", "refits"],
  properties: {
    kind: { type: "string", enum: ["exponential", "power"] },
    a: { type: "number" },
    b: { type: "number" },
    source: { type: "string", enum: ["profile", "live"], description: "profile: from samples or a models file; live: refitted from measured latency" },
    r2: { type: ["number", "null"], description: "Held-out R² of the fit that made it (null: the profile did not say)" },
    samples: { type: "integer", description: "Measured samples checked against this model since it started serving" },
    measuredError: { type: ["number", "null"], description: "Mean |measured - predicted| / predicted over them" },
    e2eMs: quantiles,
    processingMs: quantiles,
    refits: { type: "integer" },
  },
} as const;

export function modelsPlugin(ctx: ServiceContext): FastifyPluginAsync {
  const live = liveLatencyOf(ctx);
  return async (app) => {
    app.get(
      "/v1/models",
      {
        schema: {
          tags: ["models"],
          summary: "Latency models: latencyMs = a*exp(b*share) or a*share^b, with their source, R² and measured error",
          response: { 200: { type: "object", additionalProperties: modelViewSchema } },
        },
      },
      async () => {
        const out: Record<string, ModelView> = {};
        for (const key of new Set([...Object.keys(ctx.models), ...live.measuredClasses()])) {
          const v = live.classView(key);
          if (v) out[key] = v;
        }
        return out;
      },
    );
  };
}
