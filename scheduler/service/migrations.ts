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
import { migrationRecordSchema } from "./response-schemas.js";

const moveSchema = {
  type: "object",
  required: ["task", "to"],
  additionalProperties: false,
  properties: {
    task: { type: "string", pattern: NAME_PATTERN },
    to: { type: "string", pattern: NAME_PATTERN },
    strategy: { type: "string", enum: ["auto", "stopcopy", "precopy", "postcopy"], default: "auto" },
    faults: {
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
    },
  },
} as const;

export function migrationsPlugin(ctx: ServiceContext): FastifyPluginAsync {
  const endpointOf = (node: string) => ctx.policy.nodes().find((n) => n.name === node)?.endpoint;
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
        const { task: taskId, to, strategy, faults } = req.body;
        if (faults && !ctx.allowFaults) throw ApiError.badRequest("faults are accepted only by a scheduler started with --allow-faults");
        const placement = ctx.policy.placements().find((p) => p.request.id === taskId);
        if (!placement) throw ApiError.notFound(`no task '${taskId}'`);
        if (ctx.executor.inFlight?.().has(taskId)) throw ApiError.conflict(`task '${taskId}' is already migrating`);
        const fromEndpoint = endpointOf(placement.node);
        const toEndpoint = endpointOf(to);
        if (!ctx.policy.nodes().some((n) => n.name === to)) throw ApiError.notFound(`no node '${to}'`);
        if (!fromEndpoint || !toEndpoint) throw ApiError.conflict(`both nodes need an agent to move a workload (${!fromEndpoint ? placement.node : to} has none)`);
        const moved = ctx.policy.moveTo(taskId, to);
        if (!moved.ok) throw ApiError.conflict(`cannot move '${taskId}' to ${to}: ${moved.reason}`, { reason: moved.reason });
        // Kept (and marked moving) before the move is recorded; a write failure puts the task back.
        ctx.durable.setMoving(taskId, { from: moved.from, to });
        try {
          await ctx.durable.commit([ctx.durable.task(taskId)]);
        } catch (err) {
          ctx.durable.setMoving(taskId, undefined);
          ctx.policy.relocate(taskId, moved.from);
          throw err;
        }
        const service = ctx.runtime.binding(taskId);
        const record = await ctx.executor.request({
          request: taskId,
          from: moved.from,
          to,
          cpuShare: moved.cpuShare,
          task: placement.request,
          fromEndpoint,
          toEndpoint,
          ...(service ? { service } : {}),
          ...(strategy && strategy !== "auto" ? { strategy } : {}),
          ...(faults ? { faults } : {}),
        });
        ctx.events.emit({ type: "migration-requested", migration: record });
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
