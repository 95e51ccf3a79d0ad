// Switch routes: the registry, live flow tables and ports read from the
// switch by MULTIPART, and pipelined flow installation ending in a BARRIER.
import { performance } from "node:perf_hooks";
import type { FastifyPluginAsync } from "fastify";
import { ApiError } from "../../src/http/api-error.js";
import { errorSchema } from "../../src/http/error-schema.js";
import { FREE_FORM_BOUNDS, freeFormSchema } from "../../src/http/validation.js";
import { Writer, writeMessage } from "../../src/openflow/index.js";
import type { FlowStats, PortDesc } from "../../src/openflow/messages.js";
import { COOKIE_API, PRIORITY_FORWARDING } from "../openflow/cookies.js";
import type { SwitchSession } from "../openflow/session.js";
import type { SwitchRegistry } from "../openflow/registry.js";
import { dpidParams, normalizeDpid } from "./dpid.js";
import { flowStatsJson, instructionsFromJson, matchFromJson, parseBigint } from "./flow-json.js";

export interface SwitchRoutesOptions {
  registry: SwitchRegistry;
  onFlowsChanged(dpid: string, count: number): void;
}

function portJson(p: PortDesc): Record<string, unknown> {
  return { portNo: p.portNo, name: p.name, hwAddr: p.hwAddr, up: (p.config & 1) === 0 && (p.state & 1) === 0, config: p.config, state: p.state, currSpeed: p.currSpeed };
}

const flowInput = {
  type: "object",
  required: ["match", "instructions"],
  additionalProperties: false,
  properties: {
    priority: { type: "integer", minimum: 0, maximum: 65535 },
    // Every OXM field is one number or string (a bigint as "0x..."); the encoder checks names and values.
    match: { type: "object", maxProperties: 64, propertyNames: { maxLength: 32 }, additionalProperties: { type: ["string", "integer"], maxLength: 64 } },
    // Each instruction type has its own fields (actions, metadata, ...); the codec checks them, bounded here.
    instructions: {
      type: "array",
      maxItems: 16,
      items: { type: "object", required: ["type"], additionalProperties: freeFormSchema({ ...FREE_FORM_BOUNDS, depth: 3 }), properties: { type: { type: "string", maxLength: 32 } } },
    },
    idleTimeout: { type: "integer", minimum: 0, maximum: 65535 },
    hardTimeout: { type: "integer", minimum: 0, maximum: 65535 },
    cookie: { type: ["string", "integer"] },
    tableId: { type: "integer", minimum: 0, maximum: 254 },
  },
} as const;

export const switchRoutes: FastifyPluginAsync<SwitchRoutesOptions> = async (app, opts) => {
  const { registry } = opts;
  const connOf = (raw: string): SwitchSession => {
    const conn = registry.get(normalizeDpid(raw));
    if (!conn) throw ApiError.notFound(`switch ${normalizeDpid(raw)} is not connected`);
    return conn;
  };

  app.get("/v1/switches", { schema: { summary: "Connected switches", tags: ["switches"] } }, async () => ({
    switches: registry.all().map((c) => ({
      dpid: c.dpid,
      address: c.remote,
      tables: c.features?.nTables,
      ports: [...c.ports.values()].filter((p) => p.portNo < 0xffffff00).length,
    })),
  }));

  app.get<{ Params: { dpid: string } }>(
    "/v1/switches/:dpid/ports",
    { schema: { summary: "A switch's ports, read live by MULTIPART PORT_DESC", tags: ["switches"], params: dpidParams, response: { 404: errorSchema } } },
    async (req) => {
      const conn = connOf(req.params.dpid);
      const bodies = await conn.multipart({ kind: "portDesc" });
      const ports = bodies.flatMap((b) => (b.kind === "portDesc" ? b.ports : []));
      return { dpid: conn.dpid, ports: ports.map(portJson) };
    },
  );

  app.get<{ Params: { dpid: string } }>(
    "/v1/switches/:dpid/flows",
    { schema: { summary: "A switch's flow table, read live by MULTIPART FLOW", tags: ["switches"], params: dpidParams, response: { 404: errorSchema } } },
    async (req) => {
      const conn = connOf(req.params.dpid);
      const bodies = await conn.multipart({ kind: "flow" });
      const stats: FlowStats[] = bodies.flatMap((b) => (b.kind === "flow" ? b.stats : []));
      return { dpid: conn.dpid, flows: stats.map(flowStatsJson) };
    },
  );

  app.post<{ Params: { dpid: string }; Body: { flows: Array<Record<string, unknown>> } }>(
    "/v1/switches/:dpid/flows",
    {
      // Up to 100,000 flows of ~150 bytes of JSON each: well past fastify's 1 MiB default.
      bodyLimit: 32 * 1024 * 1024,
      schema: {
        summary: "Install flows: pipelined FLOW_MODs then one BARRIER; answers when the barrier reply arrives",
        tags: ["switches"],
        params: dpidParams,
        body: { type: "object", required: ["flows"], additionalProperties: false, properties: { flows: { type: "array", minItems: 1, maxItems: 100000, items: flowInput } } },
        response: { 200: { type: "object", properties: { installed: { type: "integer" }, ms: { type: "number" } } }, 400: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const conn = connOf(req.params.dpid);
      const start = performance.now();
      // Convert and encode everything first: one bad flow rejects the request before any is sent.
      const flows = req.body.flows;
      const w = new Writer(flows.length * 96 + 64);
      for (let i = 0; i < flows.length; i++) {
        const f = flows[i] as Record<string, unknown>;
        try {
          writeMessage(w, {
            type: "flowMod",
            xid: 0,
            command: "add",
            priority: (f.priority as number | undefined) ?? PRIORITY_FORWARDING,
            tableId: (f.tableId as number | undefined) ?? 0,
            idleTimeout: (f.idleTimeout as number | undefined) ?? 0,
            hardTimeout: (f.hardTimeout as number | undefined) ?? 0,
            cookie: f.cookie === undefined ? COOKIE_API : parseBigint("cookie", f.cookie),
            match: matchFromJson(f.match as Record<string, unknown>),
            instructions: instructionsFromJson(f.instructions as Array<Record<string, unknown>>),
          });
        } catch (err) {
          throw ApiError.badRequest(`flows[${i}]: ${(err as Error).message}`);
        }
      }
      conn.sendBytes(w.buf.subarray(0, w.pos));
      await conn.barrier();
      const ms = performance.now() - start;
      opts.onFlowsChanged(conn.dpid, flows.length);
      return { installed: flows.length, ms: Math.round(ms * 1000) / 1000 };
    },
  );
};
