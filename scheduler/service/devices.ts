// Devices: the IoT clients that submit tasks. Registering one is optional: a
// task from an unknown device registers it (auto: true) when the task is placed;
// such a device left without tasks expires (device-expiry.ts). DELETE forgets
// a device that has no placed task.
import type { FastifyPluginAsync } from "fastify";
import { ApiError } from "../../src/http/api-error.js";
import { errorSchema } from "../../src/http/error-schema.js";
import type { Device, ServiceContext } from "./context.js";
import { NAME_PATTERN } from "./nodes.js";

const deviceSchema = {
  type: "object",
  required: ["id"],
  additionalProperties: false,
  properties: {
    id: { type: "string", pattern: NAME_PATTERN },
    site: { type: "string", minLength: 1, maxLength: 128 },
  },
} as const;

export function devicesPlugin(ctx: ServiceContext): FastifyPluginAsync {
  const view = (d: Device) => ({ ...d, tasks: ctx.deviceTasks.count(d.id) });

  return async (app) => {
    app.get("/v1/devices", { schema: { tags: ["devices"], summary: "Known devices and their placed tasks" } }, async () =>
      [...ctx.devices.values()].map(view),
    );

    app.get<{ Params: { id: string } }>(
      "/v1/devices/:id",
      {
        schema: {
          tags: ["devices"],
          summary: "One device",
          params: { type: "object", required: ["id"], properties: { id: { type: "string" } } },
          response: { 404: errorSchema },
        },
      },
      async (req) => {
        const d = ctx.devices.get(req.params.id);
        if (!d) throw ApiError.notFound(`no device '${req.params.id}'`);
        return view(d);
      },
    );

    app.post<{ Body: { id: string; site?: string } }>(
      "/v1/devices",
      { schema: { tags: ["devices"], summary: "Register a device (again: updates its site)", body: deviceSchema, response: { 400: errorSchema, 503: errorSchema } } },
      async (req, reply) => {
        const existing = ctx.devices.get(req.body.id);
        const device: Device = {
          id: req.body.id,
          ...(req.body.site === undefined ? {} : { site: req.body.site }),
          registeredAt: existing?.registeredAt ?? ctx.now().toISOString(),
          auto: false,
        };
        await ctx.durable.commit([ctx.durable.device(device)]);
        ctx.devices.set(device.id, device);
        ctx.deviceExpiry?.forget(device.id);
        return reply.code(existing ? 200 : 201).send(view(device));
      },
    );

    app.delete<{ Params: { id: string } }>(
      "/v1/devices/:id",
      {
        schema: {
          tags: ["devices"],
          summary: "Forget a device without placed tasks",
          params: { type: "object", required: ["id"], properties: { id: { type: "string" } } },
          response: { 404: errorSchema, 409: errorSchema, 503: errorSchema },
        },
      },
      async (req, reply) => {
        const d = ctx.devices.get(req.params.id);
        if (!d) throw ApiError.notFound(`no device '${req.params.id}'`);
        const tasks = ctx.deviceTasks.count(d.id);
        if (tasks > 0) throw ApiError.conflict(`device '${d.id}' has ${tasks} placed task(s); release them first`, { tasks });
        await ctx.durable.commit([{ kind: "device", key: d.id, value: null }]);
        // A task may have been placed while the removal was written: it registers the device again.
        if (ctx.deviceTasks.count(d.id) > 0) {
          await ctx.durable.commit([ctx.durable.device(d)]);
          throw ApiError.conflict(`device '${d.id}' got a task meanwhile; release it first`);
        }
        ctx.devices.delete(d.id);
        ctx.deviceExpiry?.forget(d.id);
        ctx.events.emit({ type: "device-removed", device: d.id, reason: "deleted" });
        return reply.code(204).send();
      },
    );
  };
}
