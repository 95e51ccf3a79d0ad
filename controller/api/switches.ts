// Switch routes: the registry, live flow tables and ports (with counters and
// rates since the previous GET) read from the switch by MULTIPART, flows
// installed all or none in one bundle, and a port's flags set by PORT_MOD.
import { performance } from "node:perf_hooks";
import type { FastifyPluginAsync } from "fastify";
import { ApiError } from "../../src/http/api-error.js";
import { errorSchema } from "../../src/http/error-schema.js";
import { FREE_FORM_BOUNDS, freeFormSchema } from "../../src/http/validation.js";
import type { PortChange } from "../../src/api-types/controller.js";
import type { FlowMod, FlowStats, PortDesc, PortStats } from "../../src/openflow/messages.js";
import type { NoFloodPorts } from "../forwarding/no-flood.js";
import { COOKIE_API, PRIORITY_FORWARDING } from "../openflow/cookies.js";
import { FlowBundle } from "../openflow/flow-bundle.js";
import { portModFor } from "../openflow/port-mod.js";
import type { SwitchRegistry } from "../openflow/registry.js";
import type { SwitchSession } from "../openflow/session.js";
import { dpidParams, normalizeDpid } from "./dpid.js";
import { flowStatsJson, instructionsFromJson, matchFromJson, parseBigint } from "./flow-json.js";
import type { PortRateBook } from "./port-rates.js";
import { portView } from "./switch-views.js";

export interface SwitchRoutesOptions {
  registry: SwitchRegistry;
  rates: PortRateBook;
  noFlood: NoFloodPorts;
  onFlowsChanged(dpid: string, count: number): void;
}

/** Errors a read from a switch may end in, for the response schemas. */
export const switchReadErrors = { 404: errorSchema, 502: errorSchema, 504: errorSchema } as const;

const portParams = {
  type: "object",
  required: ["dpid", "port"],
  properties: { ...dpidParams.properties, port: { type: "string", pattern: "^[1-9][0-9]{0,9}$", description: "OpenFlow port number" } },
} as const;

const portChangeBody = {
  type: "object",
  additionalProperties: false,
  minProperties: 1,
  properties: {
    adminDown: { type: "boolean", description: "OFPPC_PORT_DOWN" },
    noFlood: { type: "boolean", description: "left out of the controller's flooding (OpenFlow 1.3 has no port flag for it)" },
    noPacketIn: { type: "boolean", description: "OFPPC_NO_PACKET_IN" },
  },
} as const;

async function portDescs(conn: SwitchSession): Promise<PortDesc[]> {
  return (await conn.multipart({ kind: "portDesc" })).flatMap((b) => (b.kind === "portDesc" ? b.ports : []));
}

async function portStats(conn: SwitchSession, portNo?: number): Promise<PortStats[]> {
  return (await conn.multipart({ kind: "portStats", portNo })).flatMap((b) => (b.kind === "portStats" ? b.stats : []));
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

function flowModOf(f: Record<string, unknown>): FlowMod {
  return {
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
  };
}

/**
 * All or none: one ONF bundle, committed once the switch accepted every flow (flow-bundle.ts). One flow that
 * cannot be encoded rejects the request (400); what was sent of the bundle by then is discarded.
 */
async function installFlows(conn: SwitchSession, flows: Array<Record<string, unknown>>): Promise<void> {
  const bundle = new FlowBundle(conn, flows.length);
  try {
    for (let i = 0; i < flows.length; i++) {
      try {
        bundle.add(flowModOf(flows[i]!));
      } catch (err) {
        throw ApiError.badRequest(`flows[${i}]: ${(err as Error).message}`);
      }
      bundle.pump();
    }
    await bundle.install();
  } catch (err) {
    bundle.abandon();
    throw err;
  }
}

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
    {
      schema: {
        summary: "A switch's ports, read live by MULTIPART PORT_DESC and PORT_STATS; rates are over the time since the previous GET of this switch's ports",
        tags: ["switches"],
        params: dpidParams,
        response: switchReadErrors,
      },
    },
    async (req) => {
      const conn = connOf(req.params.dpid);
      const [ports, stats] = await Promise.all([portDescs(conn), portStats(conn)]);
      const rates = opts.rates.observe(conn.dpid, stats, Date.now());
      const statsByPort = new Map(stats.map((s) => [s.portNo, s]));
      return { dpid: conn.dpid, ports: ports.map((p) => portView(p, statsByPort.get(p.portNo), rates.get(p.portNo), opts.noFlood.has(conn.dpid, p.portNo))) };
    },
  );

  app.put<{ Params: { dpid: string; port: string }; Body: PortChange }>(
    "/v1/switches/:dpid/ports/:port",
    {
      config: { changesSwitches: true },
      schema: {
        summary: "Set a port's adminDown / noPacketIn (PORT_MOD, confirmed by a BARRIER) and noFlood; answers the port read back by PORT_DESC",
        tags: ["switches"],
        params: portParams,
        body: portChangeBody,
        response: { 400: errorSchema, 409: errorSchema, ...switchReadErrors },
      },
    },
    async (req) => {
      const conn = connOf(req.params.dpid);
      const portNo = Number(req.params.port);
      if (portNo > 0xffffff00) throw ApiError.badRequest(`port ${portNo} is not a physical or logical port (at most 0xffffff00)`);
      const before = (await portDescs(conn)).find((p) => p.portNo === portNo);
      if (!before) throw ApiError.notFound(`switch ${conn.dpid} has no port ${portNo}`);
      const mod = portModFor(before, req.body);
      if (mod) await conn.confirm([mod]);
      else await conn.barrier();
      if (req.body.noFlood !== undefined) opts.noFlood.set(conn.dpid, portNo, req.body.noFlood);
      const [after, stats] = await Promise.all([portDescs(conn), portStats(conn, portNo)]);
      const now = after.find((p) => p.portNo === portNo);
      if (!now) throw ApiError.notFound(`port ${portNo} of switch ${conn.dpid} went away`);
      return portView(now, stats.find((s) => s.portNo === portNo), null, opts.noFlood.has(conn.dpid, portNo));
    },
  );

  app.get<{ Params: { dpid: string } }>(
    "/v1/switches/:dpid/flows",
    { schema: { summary: "A switch's flow table, read live by MULTIPART FLOW", tags: ["switches"], params: dpidParams, response: switchReadErrors } },
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
      config: { changesSwitches: true },
      schema: {
        summary: "Install flows, all or none: one ONF bundle of FLOW_MODs, committed once the switch accepted each; answers when the commit is done (502 naming the flow the switch refused)",
        tags: ["switches"],
        params: dpidParams,
        body: { type: "object", required: ["flows"], additionalProperties: false, properties: { flows: { type: "array", minItems: 1, maxItems: 100000, items: flowInput } } },
        response: { 200: { type: "object", properties: { installed: { type: "integer" }, ms: { type: "number" } } }, 400: errorSchema, 404: errorSchema, 409: errorSchema, 502: errorSchema, 504: errorSchema },
      },
    },
    async (req) => {
      const conn = connOf(req.params.dpid);
      const start = performance.now();
      const flows = req.body.flows;
      await installFlows(conn, flows);
      const ms = performance.now() - start;
      opts.onFlowsChanged(conn.dpid, flows.length);
      return { installed: flows.length, ms: Math.round(ms * 1000) / 1000 };
    },
  );
};
