// Moves: GET /v1/migrations lists every move with its state, strategy and
// reason, timeline and metrics; GET /v1/migrations/:id shows one.
import type { FastifyPluginAsync } from "fastify";
import { ApiError } from "../../src/http/api-error.js";
import { errorSchema } from "../../src/http/error-schema.js";
import type { ServiceContext } from "./context.js";
import { migrationRecordSchema } from "./response-schemas.js";

export function migrationsPlugin(ctx: ServiceContext): FastifyPluginAsync {
  return async (app) => {
    app.get(
      "/v1/migrations",
      { schema: { tags: ["tasks"], summary: "Moves so far, oldest first, with state, timeline and metrics", response: { 200: { type: "array", items: migrationRecordSchema } } } },
      async () => ctx.executor.records(),
    );

    app.get<{ Params: { id: string } }>(
      "/v1/migrations/:id",
      {
        schema: {
          tags: ["tasks"],
          summary: "One move: state, strategy and reason, timeline, log lines and metrics",
          params: { type: "object", required: ["id"], properties: { id: { type: "string", maxLength: 64 } } },
          response: { 200: migrationRecordSchema, 404: errorSchema },
        },
      },
      async (req) => {
        const rec = ctx.executor.record ? ctx.executor.record(req.params.id) : ctx.executor.records().find((r) => r.id === req.params.id);
        if (!rec) throw ApiError.notFound(`no migration '${req.params.id}'`);
        return rec;
      },
    );
  };
}
