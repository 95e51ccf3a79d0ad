// POST /v1/migrations (start), GET /v1/migrations[/:id] (live progress, metrics),
// POST /v1/migrations/:id/commit and /rollback (a migration with commit "manual").
import type { FastifyInstance } from "fastify";
import { ApiError } from "../../src/http/api-error.js";
import { errorResponses } from "../../src/http/error-schema.js";
import type { Agent, MigrationRequest } from "./agent.js";

const bodySchema = {
  type: "object",
  additionalProperties: false,
  required: ["workload", "destination"],
  properties: {
    workload: { type: "string", minLength: 1 },
    destination: { type: "string", minLength: 1 },
    strategy: { type: "string", enum: ["auto", "stopcopy", "precopy", "postcopy"], default: "auto" },
    compress: { type: "boolean" },
    bandwidthBps: { type: "number", exclusiveMinimum: 0 },
    commit: { type: "string", enum: ["auto", "manual"], default: "auto" },
    cpuLimit: { type: "number", exclusiveMinimum: 0, maximum: 256 },
    faults: {
      type: "object",
      additionalProperties: false,
      properties: { corrupt: { type: "boolean" }, cutAt: { type: "number", minimum: 0, maximum: 1 }, failRestore: { type: "boolean" } },
    },
  },
} as const;

export const migrationsPlugin = (agent: Agent) => async (app: FastifyInstance) => {
  app.post<{ Body: MigrationRequest }>("/v1/migrations", { schema: { body: bodySchema, response: errorResponses(400) } }, async (req, reply) => {
    return reply.code(202).send(await agent.startMigration(req.body));
  });
  app.get("/v1/migrations", async () => ({ migrations: [...agent.migrations.values()] }));
  app.get<{ Params: { id: string } }>("/v1/migrations/:id", { schema: { response: errorResponses(404) } }, async (req) => {
    const rec = agent.migrations.get(req.params.id);
    if (!rec) throw ApiError.notFound(`no migration ${req.params.id}`);
    return rec;
  });
  app.post<{ Params: { id: string } }>("/v1/migrations/:id/commit", { schema: { response: errorResponses(404, 409) } }, async (req) => agent.commitMigration(req.params.id));
  app.post<{ Params: { id: string } }>("/v1/migrations/:id/rollback", { schema: { response: errorResponses(404, 409) } }, async (req) => agent.rollbackMigration(req.params.id));
};
