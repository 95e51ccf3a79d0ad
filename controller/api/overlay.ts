// HTTP API of the VXLAN overlay (fastify plugin): its routes and schemas.
// The overlay service (overlay/service.ts) makes the tunnel ports through
// OVSDB and installs the site-to-site flows (overlay/plan.ts) that send the
// address blocks living at the far site into the tunnel, confirmed by a BARRIER.
//
//   GET    /v1/overlay                -> {ovsdb, tunnels: [tunnel with live state]}
//   POST   /v1/overlay/tunnels        {bridge, site, remoteIp, key, name?, localIp?, prefixes?} -> 201 tunnel
//   DELETE /v1/overlay/tunnels/:name  -> 200 the removed tunnel; 404 when unknown
// Bad input answers 400, an unknown bridge 404, a clash 409 and OVSDB out of
// reach 503, each with a message and before anything changes. Each tunnel's
// flows carry its own cookie (owner "overlay"), so deleting it removes exactly them.
//
// Use: app.register(overlayRoutes, { overlay: new OverlayService(...), emit })
import type { FastifyPluginAsync } from "fastify";
import { Validator } from "ip-num";
import type { TunnelInput } from "../../src/api-types/controller.js";
import { ApiError } from "../../src/http/api-error.js";
import { errorSchema } from "../../src/http/error-schema.js";
import { COOKIE_OVERLAY } from "../openflow/cookies.js";
import { parsePrefix } from "../overlay/plan.js";
import type { OverlayService, TunnelView } from "../overlay/service.js";
import { tunnelPortName } from "../overlay/tunnels.js";
import type { ControllerEvent } from "./events.js";
import { NOT_DURABLE, type Persist, persistInForce } from "./persist.js";

export interface OverlayRoutesOptions {
  overlay: OverlayService;
  emit(event: ControllerEvent): void;
  /** Makes a change durable before it is answered (the state store); none: memory only. */
  persist?: Persist;
}

/** The body is what the controller client sends: one definition, in src/api-types. */
type CreateBody = TunnelInput;

const NAME_PATTERN = "^[A-Za-z0-9_.-]{1,15}$";
const MAX_VNI = 0xffffff;

const tunnelSchema = {
  type: "object",
  required: ["name", "bridge", "site", "ofport", "remoteIp", "key", "state"],
  properties: {
    name: { type: "string", description: "OVS port and interface name" },
    bridge: { type: "string" },
    site: { type: "string", description: "the site the tunnel leads to" },
    ofport: { type: "integer", description: "OpenFlow port number OVS assigned" },
    remoteIp: { type: "string" },
    key: { type: "integer", description: "VXLAN network identifier" },
    localIp: { type: "string" },
    dpid: { type: ["string", "null"], description: "datapath id of the bridge" },
    prefixes: { type: "array", items: { type: "string" }, description: "address blocks sent into the tunnel" },
    cookie: { type: "string", description: "cookie of this tunnel's flows" },
    flows: { type: "integer", description: "FLOW_MODs the tunnel's flows take" },
    state: { type: "string", description: "up | pending | error | missing (from OVSDB), removed" },
    error: { type: "string" },
  },
} as const;

const createBody = {
  type: "object",
  required: ["bridge", "site", "remoteIp", "key"],
  additionalProperties: false,
  properties: {
    bridge: { type: "string", pattern: NAME_PATTERN, description: "OVS bridge at this site" },
    site: { type: "string", pattern: "^[A-Za-z0-9_.-]{1,63}$", description: "name of the far site" },
    remoteIp: { type: "string", description: "IPv4 underlay address of the far end" },
    key: { type: "integer", minimum: 0, maximum: MAX_VNI, description: "VNI, 0..16777215" },
    name: { type: "string", pattern: NAME_PATTERN, description: "port name; default vx-<site>" },
    localIp: { type: "string", description: "IPv4 underlay address of this end" },
    prefixes: { type: "array", maxItems: 1024, items: { type: "string" }, description: "addresses or CIDR blocks living at the far site" },
  },
} as const;

function tunnelJson({ tunnel: t, flows: f, state, status }: TunnelView): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: t.portName,
    bridge: t.bridge,
    site: t.remoteSite,
    ofport: status?.ofport ?? t.ofport,
    remoteIp: t.remoteIp,
    key: t.key,
    dpid: f?.dpid ?? null,
    prefixes: f?.prefixes ?? [],
    cookie: `0x${(f?.cookie ?? COOKIE_OVERLAY).toString(16)}`,
    flows: f ? f.prefixes.length * 2 : 0,
    state,
  };
  if (t.localIp) out.localIp = t.localIp;
  if (status?.error) out.error = status.error;
  return out;
}

export const overlayRoutes: FastifyPluginAsync<OverlayRoutesOptions> = async (app, opts) => {
  const { overlay } = opts;
  const persist = opts.persist ?? NOT_DURABLE;

  app.get(
    "/v1/overlay",
    {
      schema: {
        summary: "VXLAN tunnels of the overlay, with their state read live from OVSDB",
        tags: ["overlay"],
        response: {
          200: { type: "object", required: ["ovsdb", "tunnels"], properties: { ovsdb: { type: "string" }, tunnels: { type: "array", items: tunnelSchema } } },
          503: errorSchema,
        },
      },
    },
    async () => ({ ovsdb: overlay.target, tunnels: (await overlay.list()).map(tunnelJson) }),
  );

  app.post<{ Body: CreateBody }>(
    "/v1/overlay/tunnels",
    {
      config: { changesSwitches: true },
      schema: {
        summary: "Create a vxlan port through OVSDB and install the flows that send the far site's prefixes into it",
        tags: ["overlay"],
        body: createBody,
        response: { 201: tunnelSchema, 400: errorSchema, 404: errorSchema, 409: errorSchema, 502: errorSchema, 503: errorSchema },
      },
    },
    async (req, reply) => {
      const b = req.body;
      if (!Validator.isValidIPv4String(b.remoteIp)[0]) throw ApiError.badRequest(`remoteIp '${b.remoteIp}' is not an IPv4 address`);
      if (b.localIp !== undefined && !Validator.isValidIPv4String(b.localIp)[0]) throw ApiError.badRequest(`localIp '${b.localIp}' is not an IPv4 address`);
      const prefixes = (b.prefixes ?? []).map((p, i) => {
        try {
          const { address, prefix } = parsePrefix(p);
          return prefix === 32 ? address : `${address}/${prefix}`;
        } catch (err) {
          throw ApiError.badRequest(`prefixes[${i}]: ${(err as Error).message}`);
        }
      });
      const name = b.name ?? tunnelPortName(b.site);
      const created = await overlay.create({ bridge: b.bridge, site: b.site, remoteIp: b.remoteIp, key: b.key, name, localIp: b.localIp, prefixes });
      await persistInForce(persist, `tunnel ${name}`);
      const body = tunnelJson(created);
      opts.emit({ type: "overlay.tunnel.up", tunnel: body });
      return reply.code(201).send(body);
    },
  );

  app.delete<{ Params: { name: string } }>(
    "/v1/overlay/tunnels/:name",
    {
      config: { changesSwitches: true },
      schema: {
        summary: "Remove a tunnel's flows, then its vxlan port",
        tags: ["overlay"],
        params: { type: "object", required: ["name"], properties: { name: { type: "string", minLength: 1, maxLength: 64 } } },
        response: { 200: tunnelSchema, 404: errorSchema, 502: errorSchema, 503: errorSchema },
      },
    },
    async (req) => {
      const body = tunnelJson(await overlay.remove(req.params.name));
      await persistInForce(persist, `the removal of tunnel ${req.params.name}`);
      opts.emit({ type: "overlay.tunnel.down", tunnel: body });
      return body;
    },
  );
};
