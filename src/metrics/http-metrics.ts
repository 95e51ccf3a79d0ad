// GET /metrics in the Prometheus text format and the API latency histogram,
// installed on a service's fastify app (on the root instance, like the error
// handler, so the hook sees every route). The route label is the route's
// pattern (/v1/tasks/:id), never the raw URL: one series per route, however
// many ids pass through it; an unmatched URL counts as "unmatched".
import type { FastifyInstance } from "fastify";
import { Histogram, type Registry } from "prom-client";
import { METRIC_PREFIX } from "./registry.js";

export const HTTP_DURATION = `${METRIC_PREFIX}http_request_duration_seconds`;

/** From a quick GET to a migration's commit. */
const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function installMetrics(app: FastifyInstance, registry: Registry): void {
  const duration = new Histogram({
    name: HTTP_DURATION,
    help: "API request latency by method, route pattern and status code, seconds",
    labelNames: ["method", "route", "status_code"] as const,
    buckets: HTTP_BUCKETS,
    registers: [registry],
  });
  app.addHook("onResponse", async (req, reply) => {
    const route = req.routeOptions.url ?? "unmatched";
    duration.observe({ method: req.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  app.get(
    "/metrics",
    {
      schema: {
        tags: ["metrics"],
        summary: "The service's metrics in the Prometheus text format (version 0.0.4)",
        querystring: { type: "object", additionalProperties: false, properties: {} },
        response: { 200: { type: "string", description: "Prometheus exposition text" } },
      },
    },
    async (_req, reply) => {
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    },
  );
}
