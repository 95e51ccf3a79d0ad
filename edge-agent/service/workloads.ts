// POST/GET/DELETE /v1/workloads.
import type { FastifyInstance } from "fastify";
import { ApiError } from "../../src/http/api-error.js";
import { errorResponses } from "../../src/http/error-schema.js";
import { networkSchema } from "../runtime/netns-input.js";
import type { WorkloadSpec } from "../runtime/types.js";
import type { Agent } from "./agent.js";

// Every part the agent stores is bounded: it is kept for the workload's life and answered in every GET.
export const specSchema = {
  type: "object",
  additionalProperties: false,
  required: ["cpuLimit"],
  properties: {
    id: { type: "string", pattern: "^[a-z0-9][a-z0-9-]{0,40}$" },
    image: { type: "string", minLength: 1, maxLength: 512 },
    command: { type: "array", minItems: 1, maxItems: 256, items: { type: "string", minLength: 1, maxLength: 4096 } },
    cpuLimit: { type: "number", exclusiveMinimum: 0, maximum: 256 },
    ports: { type: "array", maxItems: 16, uniqueItems: true, items: { type: "integer", minimum: 1, maximum: 65535 }, default: [] },
    labels: { type: "object", maxProperties: 64, propertyNames: { maxLength: 128 }, additionalProperties: { type: "string", maxLength: 1024 }, default: {} },
    probePath: { type: "string", pattern: "^/", maxLength: 1024 },
    env: { type: "object", maxProperties: 256, propertyNames: { pattern: "^[A-Za-z_][A-Za-z0-9_]{0,127}$" }, additionalProperties: { type: "string", maxLength: 32768 } },
    network: networkSchema,
  },
} as const;

export const workloadsPlugin = (agent: Agent) => async (app: FastifyInstance) => {
  app.post<{ Body: WorkloadSpec & { id?: string } }>("/v1/workloads", { schema: { body: specSchema, response: errorResponses(400) } }, async (req, reply) => {
    const { id, ...spec } = req.body;
    const record = await agent.createWorkload(spec, id);
    return reply.code(201).send(record);
  });
  app.get("/v1/workloads", async () => ({ workloads: await agent.refreshWorkloads() }));
  app.delete<{ Params: { id: string } }>("/v1/workloads/:id", { schema: { response: errorResponses(400, 404) } }, async (req, reply) => {
    if (!(await agent.deleteWorkload(req.params.id))) throw ApiError.notFound(`no workload ${req.params.id}`);
    return reply.code(204).send();
  });
};
