// Redirect routes: move a service's unchanged IP to a new place, list what
// was done (with the measured reconfiguration time), roll a redirect back,
// and name places ("nodes") so callers can say {node: "cloud1"}.
import type { FastifyPluginAsync } from "fastify";
import { ApiError } from "../../src/http/api-error.js";
import { errorSchema } from "../../src/http/error-schema.js";
import { labelError } from "../dns/records.js";
import { isIpv4, isMac } from "../packets/ethernet.js";
import type { RedirectExecutor, RedirectRequest } from "../redirect/executor.js";
import { type Place, STRATEGIES, type Strategy } from "../redirect/plan.js";
import type { RedirectStore } from "../redirect/store.js";
import { normalizeDpid } from "./dpid.js";
import { NOT_DURABLE, type Persist, persistInForce, persistOrUndo } from "./persist.js";

export interface NodePlace extends Place {
  site?: string;
}

export interface RedirectRoutesOptions {
  executor: RedirectExecutor;
  store: RedirectStore;
  nodes: Map<string, NodePlace>;
  /** Makes a change durable before it is answered (the state store); none: memory only. */
  persist?: Persist;
}

const placeSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    switch: { type: "string", pattern: "^(0x)?[0-9a-fA-F]{1,16}$" },
    port: { type: "integer", minimum: 1, maximum: 0xfffffeff },
    node: { type: "string", minLength: 1, maxLength: 63 },
  },
} as const;

const itemProps = {
  service: { type: "string", minLength: 1, maxLength: 63 },
  ip: { type: "string" },
  mac: { type: "string" },
  to: placeSchema,
  dnsAddress: { type: "string" },
} as const;

interface ItemBody {
  service: string;
  ip: string;
  mac: string;
  to: { switch?: string; port?: number; node?: string };
  dnsAddress?: string;
}

type RedirectBody = Partial<ItemBody> & { redirects?: ItemBody[]; strategy?: Strategy; hold?: boolean; steps?: number; stepMs?: number };

export const redirectRoutes: FastifyPluginAsync<RedirectRoutesOptions> = async (app, opts) => {
  const { executor, store, nodes } = opts;
  const persist = opts.persist ?? NOT_DURABLE;

  const toRequest = (b: ItemBody, where: string): RedirectRequest => {
    if (!b.service || !b.ip || !b.mac || !b.to) throw ApiError.badRequest(`${where}: service, ip, mac and to are required`);
    const bad = labelError(b.service);
    if (bad) throw ApiError.badRequest(`${where}.service: ${bad}`);
    if (!isIpv4(b.ip)) throw ApiError.badRequest(`${where}.ip: not an IPv4 address: ${b.ip}`);
    const mac = b.mac.toLowerCase();
    if (!isMac(mac)) throw ApiError.badRequest(`${where}.mac: not a MAC address: ${b.mac}`);
    if (b.dnsAddress !== undefined && !isIpv4(b.dnsAddress)) throw ApiError.badRequest(`${where}.dnsAddress: not an IPv4 address`);
    let to: Place;
    if (b.to.node !== undefined) {
      if (b.to.switch !== undefined || b.to.port !== undefined) throw ApiError.badRequest(`${where}.to: give either {node} or {switch, port}`);
      const n = nodes.get(b.to.node);
      if (!n) throw ApiError.badRequest(`${where}.to.node: unknown node '${b.to.node}' (register it with PUT /v1/nodes/:name)`);
      to = { dpid: n.dpid, port: n.port };
    } else {
      if (b.to.switch === undefined || b.to.port === undefined) throw ApiError.badRequest(`${where}.to: needs {switch, port} or {node}`);
      to = { dpid: normalizeDpid(b.to.switch), port: b.to.port };
    }
    return { service: b.service, ip: b.ip, mac, to, dnsAddress: b.dnsAddress };
  };

  app.post<{ Body: RedirectBody }>(
    "/v1/redirect",
    {
      config: { changesSwitches: true },
      schema: {
        summary: "Redirect services' unchanged IPs to a new place; answers the network reconfiguration time",
        tags: ["redirect"],
        body: {
          type: "object",
          additionalProperties: false,
          properties: {
            ...itemProps,
            redirects: { type: "array", minItems: 1, maxItems: 1000, items: { type: "object", required: ["service", "ip", "mac", "to"], additionalProperties: false, properties: itemProps } },
            strategy: { type: "string", enum: STRATEGIES },
            hold: { type: "boolean" },
            steps: { type: "integer", minimum: 1, maximum: 20 },
            stepMs: { type: "integer", minimum: 0, maximum: 60000 },
          },
        },
        response: { 400: errorSchema, 404: errorSchema, 409: errorSchema, 502: errorSchema, 503: errorSchema },
      },
    },
    async (req) => {
      const body = req.body;
      const items = body.redirects ? body.redirects.map((b, i) => toRequest(b, `redirects[${i}]`)) : [toRequest(body as ItemBody, "body")];
      if (body.redirects && body.service !== undefined) throw ApiError.badRequest("give either one service or `redirects`, not both");
      const names = new Set(items.map((i) => i.service));
      if (names.size !== items.length) throw ApiError.badRequest("a service appears twice");
      const strategy = body.strategy ?? "all-at-once";
      if (body.hold && strategy === "gradual") throw ApiError.badRequest("hold: only the all-at-once and per-service strategies hold frames");
      const records = await executor.redirect(items, { strategy, hold: body.hold, steps: body.steps, stepMs: body.stepMs });
      await persistInForce(persist, `the redirect of ${[...names].join(", ")}`);
      const total = Math.max(...records.map((r) => r.reconfigurationMs));
      return { strategy, reconfigurationMs: total, redirects: records };
    },
  );

  app.get("/v1/redirects", { schema: { summary: "Redirects done, newest last", tags: ["redirect"] } }, async () => ({ redirects: store.list() }));

  app.post<{ Params: { id: string } }>(
    "/v1/redirects/:id/rollback",
    {
      config: { changesSwitches: true },
      schema: {
        summary: "Roll back a service's active redirect: earlier flows and DNS record come back",
        tags: ["redirect"],
        params: { type: "object", required: ["id"], properties: { id: { type: "string", pattern: "^[1-9][0-9]{0,8}$" } } },
        response: { 400: errorSchema, 404: errorSchema, 409: errorSchema, 503: errorSchema },
      },
    },
    async (req) => {
      const redirect = await executor.rollback(Number(req.params.id));
      await persistInForce(persist, `the rollback of redirect ${req.params.id}`);
      return { redirect };
    },
  );

  app.get("/v1/nodes", { schema: { summary: "Named places for redirects", tags: ["redirect"] } }, async () => ({
    nodes: [...nodes.entries()].map(([name, n]) => ({ name, switch: n.dpid, port: n.port, site: n.site ?? null })),
  }));

  app.put<{ Params: { name: string }; Body: { switch: string; port: number; site?: string } }>(
    "/v1/nodes/:name",
    {
      schema: {
        summary: "Name a place (switch, port) so redirects can target {node}",
        tags: ["redirect"],
        params: { type: "object", required: ["name"], properties: { name: { type: "string", minLength: 1, maxLength: 63, pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]*$" } } },
        body: {
          type: "object",
          required: ["switch", "port"],
          additionalProperties: false,
          properties: { switch: placeSchema.properties.switch, port: placeSchema.properties.port, site: { type: "string", maxLength: 63 } },
        },
        response: { 400: errorSchema, 503: errorSchema },
      },
    },
    async (req) => {
      const n: NodePlace = { dpid: normalizeDpid(req.body.switch), port: req.body.port, ...(req.body.site !== undefined && { site: req.body.site }) };
      const previous = nodes.get(req.params.name);
      nodes.set(req.params.name, n);
      await persistOrUndo(persist, () => {
        if (previous) nodes.set(req.params.name, previous);
        else nodes.delete(req.params.name);
      });
      return { name: req.params.name, switch: n.dpid, port: n.port, site: n.site ?? null };
    },
  );
};
