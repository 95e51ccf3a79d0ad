// Measured latency: devices post what their requests took (POST
// /v1/tasks/:id/samples); GET /v1/tasks/:id/latency shows a task's predicted
// against measured latency. Each sample, at the task's CPU share now, goes to
// its class's drift tracker (scheduler/latency/live.ts); when a class is
// refitted from live samples, the policy serves the new model to new
// decisions, and the hub announces `latency.drift` and `model.refitted`.
import type { FastifyPluginAsync } from "fastify";
import { type LatencyBatch, type LatencySample, type LatencySamples, MAX_SAMPLES_PER_BATCH, type SamplesReceipt } from "../../src/api-types/scheduler.js";
import { percentile } from "../../src/devices/stats.js";
import { ApiError } from "../../src/http/api-error.js";
import { errorSchema } from "../../src/http/error-schema.js";
import { modelKey } from "../../src/latency/model.js";
import type { DriftEvent, ServingModel } from "../latency/drift.js";
import { LiveLatency, type TaskNow } from "../latency/live.js";
import type { ServiceContext } from "./context.js";
import type { ServedModel } from "./events.js";

type ModelOut = ServedModel;

// One store per service: the models route reads what this plugin measured.
const stores = new WeakMap<ServiceContext, LiveLatency>();

/** The service's measured-latency store (made on first use, over the policy's models). */
export function liveLatencyOf(ctx: ServiceContext): LiveLatency {
  let live = stores.get(ctx);
  if (!live) {
    live = new LiveLatency((key) => (Object.hasOwn(ctx.models, key) ? ctx.models[key] : undefined));
    stores.set(ctx, live);
  }
  return live;
}

const ms = { type: "number", minimum: 0, maximum: 3_600_000 } as const;

const samplesBody = {
  type: "object",
  required: ["samples"],
  additionalProperties: false,
  properties: {
    samples: {
      type: "array",
      maxItems: MAX_SAMPLES_PER_BATCH,
      items: {
        type: "object",
        required: ["at", "e2eMs"],
        additionalProperties: false,
        properties: {
          at: { type: "number", minimum: 0, description: "When the request was sent, ms since the epoch" },
          e2eMs: { ...ms, description: "Send to full answer, as the device saw it" },
          processingMs: { ...ms, description: "The workload's own time for the request" },
        },
      },
    },
  },
} as const;

const quantiles = { type: "object", properties: { p50: { type: ["number", "null"] }, p95: { type: ["number", "null"] } } } as const;

const latencySchema = {
  type: "object",
  required: ["task", "model", "node", "cpuShare", "delayBudgetMs", "predicted", "measured", "modelSource"],
  properties: {
    task: { type: "string" },
    model: { type: "string" },
    node: { type: "string" },
    cpuShare: { type: "number" },
    delayBudgetMs: { type: "number" },
    predicted: { type: "object", properties: { processingMs: { type: "number" }, e2eMs: { type: "number" } } },
    measured: {
      type: "object",
      properties: {
        samples: { type: "integer" },
        window: { type: "integer" },
        e2eMs: quantiles,
        processingMs: quantiles,
        missRate: { type: ["number", "null"] },
      },
    },
    modelSource: { type: "string", enum: ["profile", "live"] },
  },
} as const;

const idParams = { type: "object", required: ["id"], properties: { id: { type: "string" } } } as const;

export function samplesPlugin(ctx: ServiceContext): FastifyPluginAsync {
  const live = liveLatencyOf(ctx);
  const hub = ctx.events;

  const taskNow = (id: string): TaskNow | undefined => {
    const p = ctx.policy.placements().find((x) => x.request.id === id);
    if (!p) return undefined;
    const node = ctx.policy.nodes().find((n) => n.name === p.node);
    return {
      id,
      seq: p.seq,
      moving: ctx.executor.inFlight?.().has(id) ?? false,
      key: modelKey(p.request.workload, p.request.inputClass),
      node: p.node,
      cpuShare: p.cpuShare,
      netDelayMs: node?.netDelayMs ?? 0,
      delayBudgetMs: p.request.delayBudgetMs,
    };
  };

  const announce = (e: DriftEvent) => {
    if (e.type === "refit-rejected") {
      hub.emit({ type: "latency.drift", model: e.key, outcome: "refit-rejected", serving: out(e.current), refitR2: e.refitR2 });
      return;
    }
    // New decisions use the refitted model; placed tasks keep their share.
    ctx.policy.setModel(e.key, e.to.model);
    const m = ctx.models[e.key];
    if (!m || m.kind !== e.to.model.kind || m.a !== e.to.model.a || m.b !== e.to.model.b) ctx.models[e.key] = { ...e.to.model };
    hub.emit({ type: "latency.drift", model: e.key, outcome: "refitted", serving: out(e.from), refitR2: e.to.r2 });
    hub.emit({ type: "model.refitted", model: e.key, from: out(e.from), to: out(e.to) });
  };

  return async (app) => {
    app.post<{ Params: { id: string }; Body: LatencySamples }>(
      "/v1/tasks/:id/samples",
      {
        schema: {
          tags: ["tasks"],
          summary: `Measured latencies of a task's requests (at most ${MAX_SAMPLES_PER_BATCH} per call)`,
          params: idParams,
          body: samplesBody,
          response: {
            202: {
              type: "object",
              required: ["task", "accepted", "modelled"],
              properties: { task: { type: "string" }, accepted: { type: "integer" }, modelled: { type: "integer" } },
            },
            404: errorSchema,
          },
        },
      },
      async (req, reply) => {
        const task = taskNow(req.params.id);
        if (!task) throw ApiError.notFound(`no task '${req.params.id}'`);
        const alive = new Set(ctx.policy.placements().map((p) => p.request.id));
        live.prune((id) => alive.has(id));
        const intake = live.ingest(task, req.body.samples, ctx.now().getTime());
        ctx.executor.deviceSamples?.(task.id, req.body.samples);
        for (const e of intake.events) announce(e);
        const batch = batchOf(req.body.samples, task.delayBudgetMs);
        if (batch) {
          const device = ctx.policy.record(task.id)?.request.device ?? "";
          hub.emit({ type: "task.latency", task: task.id, device, batch, latency: live.taskView(task) });
        }
        // Refits are kept: a restarted scheduler serves them again.
        const refits = intake.events.flatMap((e) => (e.type === "refit-rejected" ? [] : [{ kind: "model" as const, key: e.key, value: { ...e.to.model, r2: e.to.r2, source: "live" as const } }]));
        if (refits.length) await ctx.durable.commit(refits);
        const receipt: SamplesReceipt = { task: task.id, accepted: intake.accepted, modelled: intake.modelled };
        return reply.code(202).send(receipt);
      },
    );

    app.get<{ Params: { id: string } }>(
      "/v1/tasks/:id/latency",
      { schema: { tags: ["tasks"], summary: "A task's predicted against measured latency and deadline-miss rate", params: idParams, response: { 200: latencySchema, 404: errorSchema } } },
      async (req) => {
        const task = taskNow(req.params.id);
        if (!task) throw ApiError.notFound(`no task '${req.params.id}'`);
        return live.taskView(task);
      },
    );
  };
}

/** A batch's figures for the `task.latency` event (none for an empty batch). */
export function batchOf(samples: readonly LatencySample[], budgetMs: number): LatencyBatch | undefined {
  if (samples.length === 0) return undefined;
  const e2e = samples.map((x) => x.e2eMs).sort((a, b) => a - b);
  const at = samples.map((x) => x.at);
  return {
    count: samples.length,
    fromMs: Math.min(...at),
    toMs: Math.max(...at),
    p50: percentile(e2e, 0.5)!,
    p95: percentile(e2e, 0.95)!,
    max: e2e.at(-1)!,
    late: e2e.filter((v) => v > budgetMs).length,
  };
}

function out(s: ServingModel): ModelOut {
  return { kind: s.model.kind, a: s.model.a, b: s.model.b, r2: s.r2, source: s.source };
}
