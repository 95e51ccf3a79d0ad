// Models: the latency models the policy places with, keyed `workload/inputClass`,
// so that clients (and the demo) can pick budgets the models can meet.
import type { FastifyPluginAsync } from "fastify";
import type { ServiceContext } from "./context.js";

export function modelsPlugin(ctx: ServiceContext): FastifyPluginAsync {
  return async (app) => {
    app.get(
      "/v1/models",
      { schema: { tags: ["models"], summary: "Latency models: latencyMs = a*exp(b*share) or a*share^b" } },
      async () => ctx.models,
    );
  };
}
