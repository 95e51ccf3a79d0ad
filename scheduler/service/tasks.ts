// Tasks: a device asks for a workload class under a delay budget; the policy
// answers with a node and a CPU share, possibly after moving other tasks, and
// those moves go to the migration executor. On a node with an agent the
// task's workload is started there first (its own service IP); if it cannot
// start, the placement and its moves are undone. A refusal changes nothing.
import type { FastifyPluginAsync } from "fastify";
import { ApiError } from "../../src/http/api-error.js";
import { errorSchema } from "../../src/http/error-schema.js";
import { modelKey, predictLatencyMs } from "../../src/latency/model.js";
import type { MigrationRecord, ServiceBinding } from "../executor/executor.js";
import { toCores } from "../placement/share.js";
import type { Placement, TaskRequest } from "../placement/types.js";
import type { Device, ServiceContext } from "./context.js";
import { NAME_PATTERN } from "./nodes.js";
import { regulationInputProblem } from "../../src/pca/regulation.js";
import { regulationSchema } from "./data-protection-schemas.js";
import { groupClash } from "./group-membership.js";
import { placedSchema, placementSchema } from "./response-schemas.js";

const SERVICE_TYPE_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$";
const LABEL_KEY_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$";

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
    requestsPerSec: {
      type: "number",
      minimum: 0,
      maximum: 1000000,
      description: "How many requests a second the device sends: rule 3 spares a task whose move would make some late (migration-aware admission)",
    },
    regulation: regulationSchema,
    group: {
      type: "object",
      required: ["name", "member", "order"],
      additionalProperties: false,
      description: "The task is one container of a service group, moved together (POST /v1/groups/:name/migrations)",
      properties: {
        name: { type: "string", pattern: NAME_PATTERN },
        member: { type: "string", pattern: NAME_PATTERN, description: "The member (container role); its replicas share it" },
        order: { type: "integer", minimum: 0, maximum: 999, description: "Start order: lower starts and restores first" },
        replica: { type: "integer", minimum: 0, maximum: 99, default: 0 },
      },
    },
    serviceType: { type: "string", pattern: SERVICE_TYPE_PATTERN, description: "Kind of service (critical, web, ...): migration policies read it as service_type" },
    labels: {
      type: "object",
      maxProperties: 32,
      propertyNames: { pattern: LABEL_KEY_PATTERN },
      additionalProperties: { type: "string", maxLength: 128 },
      description: 'Free labels; migration policies read them as "key=value" strings',
    },
  },
} as const;

const idParams = { type: "object", required: ["id"], properties: { id: { type: "string" } } } as const;

type TaskBody = Omit<TaskRequest, "id"> & { id?: string };

export function tasksPlugin(ctx: ServiceContext): FastifyPluginAsync {
  const endpointOf = (node: string): string | undefined => ctx.policy.nodes().find((n) => n.name === node)?.endpoint;
  // From the policy's record of the one task: listing every placement to find one cost O(tasks) a request.
  const placementOf = (id: string): Placement | undefined => {
    const r = ctx.policy.record(id);
    if (!r) return undefined;
    const cpuShare = toCores(r.shareMilli);
    return { request: r.request, node: r.node, cpuShare, predictedDelayMs: predictLatencyMs(r.model, cpuShare), seq: r.seq };
  };
  const viewOf = (p: Placement) => {
    const b = ctx.runtime.binding(p.request.id);
    return {
      ...p,
      endpoint: endpointOf(p.node) ?? null,
      serviceIp: b?.ip ?? null,
      dnsName: b?.dnsName ?? null,
      port: b?.port ?? null,
      unavailable: ctx.liveness?.isSilent(p.node) ?? false,
      missing: ctx.reconciler.missing(p.request.id)?.node === p.node,
    };
  };

  return async (app) => {
    app.post<{ Body: TaskBody }>(
      "/v1/tasks",
      {
        schema: {
          tags: ["tasks"],
          summary: "Place a task; answers its node and CPU share, and the moves it triggered",
          body: taskSchema,
          response: { 201: placedSchema, 400: errorSchema, 409: errorSchema, 502: errorSchema, 503: errorSchema },
        },
      },
      async (req, reply) => {
        const body = req.body;
        const key = modelKey(body.workload, body.inputClass);
        if (!ctx.models[key]) {
          throw ApiError.badRequest(`no latency model for '${key}'; known: ${Object.keys(ctx.models).join(", ") || "none"}`);
        }
        const badRegulation = body.regulation && regulationInputProblem(body.regulation);
        if (badRegulation) throw ApiError.badRequest(`body/regulation: ${badRegulation}`);
        // A policy built without data protection could not honour a regulation: refuse rather than ignore it.
        if (body.regulation && !ctx.policy.admission) {
          const reason = "this scheduler has no data protection configured (a policy without an admission), so it cannot honour a regulation";
          throw new ApiError(409, "TASK_REFUSED", `task refused: ${reason}`, { reason });
        }
        if (body.id !== undefined && placementOf(body.id)) {
          ctx.metrics.refused("duplicate_id", ctx.policy.name);
          throw ApiError.conflict(`task '${body.id}' is already placed`, { reason: "duplicate task id" });
        }
        const task: TaskRequest = {
          id: body.id ?? ctx.nextTaskId(),
          device: body.device,
          workload: body.workload,
          inputClass: body.inputClass,
          delayBudgetMs: body.delayBudgetMs,
          ...(body.priority === undefined ? {} : { priority: body.priority }),
          ...(body.requestsPerSec === undefined ? {} : { requestsPerSec: body.requestsPerSec }),
          ...(body.regulation === undefined ? {} : { regulation: body.regulation }),
          ...(body.group === undefined ? {} : { group: { ...body.group } }),
          ...(body.serviceType === undefined ? {} : { serviceType: body.serviceType }),
          ...(body.labels === undefined ? {} : { labels: { ...body.labels } }),
        };
        if (task.group) {
          const clash = groupClash(task.group, ctx.policy.placements().map((p) => p.request));
          if (clash) throw ApiError.conflict(`task '${task.id}': ${clash}`, { reason: clash });
        }
        // Rule 3 leaves alone tasks placed or moved less than min-residence ago, and those whose move is in flight.
        const decision = ctx.policy.place(task, { atSec: ctx.now().getTime() / 1000, migrating: ctx.executor.inFlight?.() ?? movesInFlight(ctx.executor.records()) });
        if (decision.node === null) {
          const reason = decision.reason ?? "no node can meet the delay budget";
          ctx.metrics.refused(decision.refusal ?? "no_capacity", ctx.policy.name);
          ctx.events.emit({ type: "refused", task, reason });
          throw new ApiError(409, "TASK_REFUSED", `task '${task.id}' refused: ${reason}`, { reason, task });
        }
        const endpoint = endpointOf(decision.node) ?? null;
        // Nothing half-placed: the task leaves, the tasks its decision moved go back.
        const undoDecision = () => {
          ctx.policy.release(task.id);
          for (const m of [...decision.migrations].reverse()) {
            ctx.durable.setMoving(m.request, undefined);
            ctx.policy.relocate(m.request, m.from);
          }
        };
        let binding: ServiceBinding | undefined;
        if (endpoint) {
          try {
            binding = await ctx.runtime.start(task, decision.node, endpoint, decision.cpuShare ?? 0);
          } catch (err) {
            undoDecision();
            const reason = err instanceof ApiError && typeof err.details.reason === "string" ? err.details.reason : (err as Error).message;
            ctx.metrics.refused("start_failed", ctx.policy.name);
            ctx.events.emit({ type: "refused", task, reason });
            throw err instanceof ApiError ? new ApiError(err.statusCode, err.code, `task '${task.id}' not started: ${err.message}`, { ...err.details, task }) : err;
          }
        }
        const device: Device | undefined = ctx.devices.has(task.device) ? undefined : { id: task.device, registeredAt: ctx.now().toISOString(), auto: true };
        // Moves between agents' nodes are managed: their tasks stay marked until the move ends (see SyncedMoveStore).
        for (const m of decision.migrations) if (endpointOf(m.from) && endpointOf(m.to)) ctx.durable.setMoving(m.request, { from: m.from, to: m.to });
        try {
          await ctx.durable.commit([
            ctx.durable.task(task.id),
            ...decision.migrations.map((m) => ctx.durable.task(m.request)),
            ...(device ? [ctx.durable.device(device)] : []),
            ...(body.id === undefined ? [ctx.durable.taskSeq(ctx.taskSeq())] : []),
          ]);
        } catch (err) {
          if (endpoint) await ctx.runtime.stop(task.id, decision.node, endpoint);
          undoDecision();
          throw err;
        }
        if (device && !ctx.devices.has(device.id)) ctx.devices.set(device.id, device);
        ctx.metrics.placed(decision.case, ctx.policy.name);
        ctx.deviceTasks.added(task.device);
        ctx.deviceExpiry?.busy(task.device);
        const migrations = await requestMoves(ctx, decision.migrations, endpointOf, placementOf);
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
          serviceIp: binding?.ip ?? null,
          dnsName: binding?.dnsName ?? null,
          port: binding?.port ?? null,
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
        return viewOf(p);
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
            200: {
              type: "object",
              required: ["released", "node"],
              properties: {
                released: { type: "string" },
                node: { type: "string" },
                workloadRemoved: { type: "boolean", description: "An agent ran its workload and removed it" },
                error: { type: "string", description: "Why the workload could not be removed (the task is released anyway)" },
              },
            },
            404: errorSchema,
            503: errorSchema,
          },
        },
      },
      async (req) => {
        if (!placementOf(req.params.id)) throw ApiError.notFound(`no task '${req.params.id}'`);
        // A move in flight ends first (rolled back), so the workload runs in one known place.
        await ctx.executor.cancelTask?.(req.params.id);
        const p = placementOf(req.params.id);
        if (!p) throw ApiError.notFound(`no task '${req.params.id}'`);
        // Forgotten durably first: a crash after this leaves at worst a workload no task owns, never a task without one.
        await ctx.durable.commit([{ kind: "task", key: p.request.id, value: null }]);
        const stopped = await ctx.runtime.stop(p.request.id, p.node, endpointOf(p.node));
        if (!ctx.policy.release(p.request.id)) throw ApiError.notFound(`no task '${req.params.id}'`);
        ctx.deviceTasks.removed(p.request.device);
        ctx.events.emit({ type: "released", task: p.request.id, node: p.node });
        ctx.deviceExpiry?.maybeIdle(p.request.device);
        return { released: p.request.id, node: p.node, workloadRemoved: stopped.removed, ...(stopped.error ? { error: stopped.error } : {}) };
      },
    );

    app.get("/v1/placements", { schema: { tags: ["tasks"], summary: "Every placed task, in placement order", response: { 200: { type: "array", items: placementSchema } } } }, async () =>
      ctx.policy.placements().map(viewOf),
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
    const service = ctx.runtime.binding(task.id);
    const record = await ctx.executor.request({
      ...m,
      task,
      ...(fromEndpoint ? { fromEndpoint } : {}),
      ...(toEndpoint ? { toEndpoint } : {}),
      ...(service ? { service } : {}),
    });
    ctx.events.emit({ type: "migration-requested", migration: record });
    records.push(record);
  }
  return records;
}
