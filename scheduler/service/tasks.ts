// Tasks: a device asks for a workload class under a delay budget; the policy
// answers with a node and a CPU share, possibly after moving other tasks, and
// those moves go to the migration executor. A refusal changes nothing.
import type { FastifyPluginAsync } from "fastify";
import { ApiError } from "../../src/http/api-error.js";
import { errorSchema } from "../../src/http/error-schema.js";
import { modelKey } from "../../src/latency/model.js";
import type { MigrationRecord } from "../executor/executor.js";
import type { Placement, TaskRequest } from "../placement/types.js";
import type { ServiceContext } from "./context.js";
import { NAME_PATTERN } from "./nodes.js";
import { migrationRecordSchema, placedSchema, placementSchema } from "./response-schemas.js";

const taskSchema = {
  type: "object",
  required: ["device", "workload", "inputClass", "delayBudgetMs"],
  additionalProperties: false,
  properties: {
    id: { type: "string", pattern: NAME_PATTERN, description: "Generated (t-1, t-2, ...) when absent" },
    device: { type: "string", pattern: NAME_PATTERN },
    workload: { type: "string", minLength: 1, maxLength: 64 },
    inputClass: { type: "string", minLength: 1, maxLength: 64 },
    delayBudgetMs: { type: "number", exclusiveMinimum: 0, maximum: 3600000 },
    priority: { type: "integer", description: "Lower is less important: moved first" },
  },
} as const;

const idParams = { type: "object", required: ["id"], properties: { id: { type: "string" } } } as const;

type TaskBody = Omit<TaskRequest, "id"> & { id?: string };

export function tasksPlugin(ctx: ServiceContext): FastifyPluginAsync {
  const endpointOf = (node: string): string | undefined => ctx.policy.nodes().find((n) => n.name === node)?.endpoint;
  const placementOf = (id: string): Placement | undefined => ctx.policy.placements().find((p) => p.request.id === id);

  return async (app) => {
    app.post<{ Body: TaskBody }>(
      "/v1/tasks",
      {
        schema: {
          tags: ["tasks"],
          summary: "Place a task; answers its node and CPU share, and the moves it triggered",
          body: taskSchema,
          response: { 201: placedSchema, 400: errorSchema, 409: errorSchema },
        },
      },
      async (req, reply) => {
        const body = req.body;
        const key = modelKey(body.workload, body.inputClass);
        if (!ctx.models[key]) {
          throw ApiError.badRequest(`no latency model for '${key}'; known: ${Object.keys(ctx.models).join(", ") || "none"}`);
        }
        if (body.id !== undefined && placementOf(body.id)) {
          throw ApiError.conflict(`task '${body.id}' is already placed`, { reason: "duplicate task id" });
        }
        const task: TaskRequest = {
          id: body.id ?? ctx.nextTaskId(),
          device: body.device,
          workload: body.workload,
          inputClass: body.inputClass,
          delayBudgetMs: body.delayBudgetMs,
          ...(body.priority === undefined ? {} : { priority: body.priority }),
        };
        // Rule 3 leaves alone tasks placed or moved less than min-residence ago, and those whose move is in flight.
        const decision = ctx.policy.place(task, { atSec: ctx.now().getTime() / 1000, migrating: movesInFlight(ctx.executor.records()) });
        if (decision.node === null) {
          const reason = decision.reason ?? "no node can meet the delay budget";
          ctx.events.emit({ type: "refused", task, reason });
          throw new ApiError(409, "TASK_REFUSED", `task '${task.id}' refused: ${reason}`, { reason, task });
        }
        if (!ctx.devices.has(task.device)) {
          ctx.devices.set(task.device, { id: task.device, registeredAt: ctx.now().toISOString(), auto: true });
        }
        const migrations = await requestMoves(ctx, decision.migrations, endpointOf, placementOf);
        const endpoint = endpointOf(decision.node) ?? null;
        ctx.events.emit({
          type: "placed",
          task,
          node: decision.node,
          endpoint,
          cpuShare: decision.cpuShare ?? 0,
          predictedDelayMs: decision.predictedDelayMs ?? 0,
          case: decision.case ?? null,
          migrations: migrations.map((m) => m.id),
        });
        return reply.code(201).send({
          task,
          node: decision.node,
          endpoint,
          serviceIp: null,
          dnsName: null,
          port: null,
          cpuShare: decision.cpuShare,
          predictedDelayMs: decision.predictedDelayMs,
          case: decision.case ?? null,
          migrations,
        });
      },
    );

    app.get<{ Params: { id: string } }>(
      "/v1/tasks/:id",
      { schema: { tags: ["tasks"], summary: "A placed task", params: idParams, response: { 200: placementSchema, 404: errorSchema } } },
      async (req) => {
        const p = placementOf(req.params.id);
        if (!p) throw ApiError.notFound(`no task '${req.params.id}'`);
        return { ...p, endpoint: endpointOf(p.node) ?? null };
      },
    );

    app.delete<{ Params: { id: string } }>(
      "/v1/tasks/:id",
      {
        schema: {
          tags: ["tasks"],
          summary: "Release a task and its CPU share",
          params: idParams,
          response: {
            200: { type: "object", required: ["released", "node"], properties: { released: { type: "string" }, node: { type: "string" } } },
            404: errorSchema,
          },
        },
      },
      async (req) => {
        const p = placementOf(req.params.id);
        if (!p || !ctx.policy.release(p.request.id)) throw ApiError.notFound(`no task '${req.params.id}'`);
        ctx.events.emit({ type: "released", task: p.request.id, node: p.node });
        return { released: p.request.id, node: p.node };
      },
    );

    app.get("/v1/placements", { schema: { tags: ["tasks"], summary: "Every placed task, in placement order", response: { 200: { type: "array", items: placementSchema } } } }, async () =>
      ctx.policy.placements().map((p) => ({ ...p, endpoint: endpointOf(p.node) ?? null })),
    );

    app.get("/v1/migrations", { schema: { tags: ["tasks"], summary: "Moves requested so far and their status", response: { 200: { type: "array", items: migrationRecordSchema } } } }, async () =>
      ctx.executor.records(),
    );
  };
}

/** Tasks whose latest move is still requested or running. */
function movesInFlight(records: readonly MigrationRecord[]): Set<string> {
  const latest = new Map<string, MigrationRecord["status"]>();
  for (const r of records) latest.set(r.task.id, r.status);
  const inFlight = new Set<string>();
  for (const [task, status] of latest) if (status === "requested" || status === "running") inFlight.add(task);
  return inFlight;
}

/** Hands each move to the executor, in the decision's order, and announces it. */
async function requestMoves(
  ctx: ServiceContext,
  moves: Array<{ request: string; from: string; to: string; cpuShare: number }>,
  endpointOf: (node: string) => string | undefined,
  placementOf: (id: string) => Placement | undefined,
): Promise<MigrationRecord[]> {
  const records: MigrationRecord[] = [];
  for (const m of moves) {
    const task = placementOf(m.request)?.request;
    if (!task) continue; // released meanwhile (an earlier move was awaited): nothing left to move
    const fromEndpoint = endpointOf(m.from);
    const toEndpoint = endpointOf(m.to);
    const record = await ctx.executor.request({
      ...m,
      task,
      ...(fromEndpoint ? { fromEndpoint } : {}),
      ...(toEndpoint ? { toEndpoint } : {}),
    });
    ctx.events.emit({ type: "migration-requested", migration: record });
    records.push(record);
  }
  return records;
}
