// Moves: GET /v1/migrations lists every move with its state, strategy and
// reason, timeline and metrics; GET /v1/migrations/:id shows one; POST
// /v1/migrations is an operator's move of a placed task to another node
// (placement holds the share there first; the migration manager runs it).
import type { FastifyPluginAsync } from "fastify";
import type { MoveInput } from "../../src/api-types/scheduler.js";
import { ApiError } from "../../src/http/api-error.js";
import { errorSchema } from "../../src/http/error-schema.js";
import type { ServiceContext } from "./context.js";
import { NAME_PATTERN } from "./nodes.js";
import { requestOperatorMove } from "./operator-move.js";
import { migrationRecordSchema } from "./response-schemas.js";

export const faultsSchema = {
  type: "object",
  additionalProperties: false,
  description: "Test faults; accepted only by a scheduler started with --allow-faults",
  properties: {
    agent: {
      type: "object",
      additionalProperties: false,
      properties: { corrupt: { type: "boolean" }, cutAt: { type: "number", minimum: 0, maximum: 1 }, failRestore: { type: "boolean" } },
    },
    policyDenies: { type: "string", minLength: 1, maxLength: 200 },
    probePath: { type: "string", pattern: "^/[!-~]{0,200}$" },
  },
} as const;

const moveSchema = {
  type: "object",
  required: ["task", "to"],
  additionalProperties: false,
  properties: {
    task: { type: "string", pattern: NAME_PATTERN },
    to: { type: "string", pattern: NAME_PATTERN },
    strategy: { type: "string", enum: ["auto", "stopcopy", "precopy", "postcopy"], default: "auto" },
    faults: faultsSchema,
  },
} as const;

export function migrationsPlugin(ctx: ServiceContext): FastifyPluginAsync {
  return async (app) => {
    app.get(
      "/v1/migrations",
      { schema: { tags: ["tasks"], summary: "Moves so far, oldest first, with state, timeline and metrics", response: { 200: { type: "array", items: migrationRecordSchema } } } },
      async () => ctx.executor.records(),
    );

    app.post<{ Body: MoveInput }>(
      "/v1/migrations",
      {
        schema: {
          tags: ["tasks"],
          summary: "Move a placed task to another node (its share there is held first; the migration manager runs the move)",
          body: moveSchema,
          response: { 202: migrationRecordSchema, 400: errorSchema, 404: errorSchema, 409: errorSchema, 503: errorSchema },
        },
      },
      async (req, reply) => {
        const { task, to, strategy, faults } = req.body;
        const record = await requestOperatorMove(ctx, { task, to, ...(strategy ? { strategy } : {}), ...(faults ? { faults } : {}) });
        return reply.code(202).send(record);
      },
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
