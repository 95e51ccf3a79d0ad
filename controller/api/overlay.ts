// HTTP API of the VXLAN overlay (fastify plugin): tunnel ports made through
// OVSDB, plus the site-to-site flows (overlay/plan.ts) that send the address
// blocks living at the far site into the tunnel, installed on the bridge's
// switch over its OpenFlow session and confirmed by a BARRIER.
//
//   GET    /v1/overlay                -> {ovsdb, tunnels: [tunnel with live state]}
//   POST   /v1/overlay/tunnels        {bridge, site, remoteIp, key, name?, localIp?, prefixes?} -> 201 tunnel
//   DELETE /v1/overlay/tunnels/:name  -> 200 the removed tunnel; 404 when unknown
// Bad input answers 400, an unknown bridge 404, a clash 409 and OVSDB out of
// reach 503, each with a message and before anything changes. Each tunnel's
// flows carry its own cookie (owner "overlay"), so deleting it removes exactly them.
//
// Use: app.register(overlayRoutes, { backend, switches: registry, emit, onSwitchReady })
import type { FastifyPluginAsync } from "fastify";
import { Validator } from "ip-num";
import { ApiError } from "../../src/http/api-error.js";
import { errorSchema } from "../../src/http/error-schema.js";
import type { FlowMod, OfMessage } from "../../src/openflow/messages.js";
import { COOKIE_OVERLAY } from "../forwarding/cookies.js";
import type { Log } from "../openflow/connection.js";
import { type InterfaceStatus, type OverlayBackend, OverlayUnavailableError } from "../overlay/backend.js";
import { siteFlowMods } from "../overlay/flow-mod.js";
import { parsePrefix } from "../overlay/plan.js";
import { type Tunnel, tunnelPortName } from "../overlay/tunnels.js";
import type { ControllerEvent } from "./events.js";

/** The part of a switch session the overlay uses (SwitchConnection has it). */
export interface FlowTarget {
  send(msg: OfMessage): number;
  barrier(): Promise<void>;
}

export interface OverlayRoutesOptions {
  backend: OverlayBackend;
  switches: { get(dpid: string): FlowTarget | undefined };
  emit(event: ControllerEvent): void;
  /** Lets the plugin put a tunnel's flows back after the controller wiped a reconnected switch. */
  onSwitchReady?(listener: (dpid: string) => void): void;
  log?: Log;
}

interface TunnelFlows {
  dpid: string | null;
  prefixes: string[];
  cookie: bigint;
}

interface CreateBody {
  bridge: string;
  site: string;
  remoteIp: string;
  key: number;
  name?: string;
  localIp?: string;
  prefixes?: string[];
}

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

export const overlayRoutes: FastifyPluginAsync<OverlayRoutesOptions> = async (app, opts) => {
  const { backend } = opts;
  const flowsOf = new Map<string, TunnelFlows>();
  let nextCookieId = 1n;
  // One change at a time: the checks before a change must still hold when it is made.
  let queue: Promise<unknown> = Promise.resolve();
  const serialize = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => {});
    return run;
  };

  const byName = (name: string) => backend.tunnels().find((t) => t.portName === name);
  const modsFor = (t: Tunnel, f: TunnelFlows): FlowMod[] =>
    siteFlowMods({ localHosts: [], remote: f.prefixes.map((prefix) => ({ prefix, tunnelPort: t.ofport })), cookie: f.cookie });

  async function ready(): Promise<void> {
    try {
      await backend.ready();
    } catch (err) {
      if (err instanceof OverlayUnavailableError) throw new ApiError(503, "UNAVAILABLE", err.message);
      throw err;
    }
  }

  async function send(target: FlowTarget, mods: FlowMod[]): Promise<void> {
    for (const m of mods) target.send(m);
    await target.barrier();
  }

  function json(t: Tunnel, state: string, status?: InterfaceStatus): Record<string, unknown> {
    const f = flowsOf.get(t.portName);
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

  function liveState(status: InterfaceStatus | undefined): string {
    if (!status) return "missing";
    if (status.error) return "error";
    return status.ofport !== null && status.ofport > 0 ? "up" : "pending";
  }

  opts.onSwitchReady?.((dpid) => {
    for (const t of backend.tunnels()) {
      const f = flowsOf.get(t.portName);
      const target = opts.switches.get(dpid);
      if (!f || f.dpid !== dpid || f.prefixes.length === 0 || !target) continue;
      send(target, modsFor(t, f)).catch((err) => opts.log?.("warn", `overlay: re-installing the flows of ${t.portName} on ${dpid} failed: ${(err as Error).message}`));
    }
  });

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
    async () => {
      await ready();
      const tunnels = backend.tunnels();
      const status = await backend.interfaces(tunnels.map((t) => t.portName));
      return { ovsdb: backend.target, tunnels: tunnels.map((t) => json(t, liveState(status.get(t.portName)), status.get(t.portName))) };
    },
  );

  app.post<{ Body: CreateBody }>(
    "/v1/overlay/tunnels",
    {
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

      const created = await serialize(async () => {
        if (byName(name)) throw ApiError.conflict(`a tunnel named ${name} already exists`);
        const same = backend.tunnels().find((t) => t.bridge === b.bridge && t.remoteSite === b.site);
        if (same) throw ApiError.conflict(`bridge ${b.bridge} already has tunnel ${same.portName} to site ${b.site}; delete it first`);
        await ready();
        const bridge = await backend.bridge(b.bridge);
        if (!bridge) throw ApiError.notFound(`OVSDB (${backend.target}) has no bridge named ${b.bridge}`);
        if ((await backend.interfaces([name])).has(name)) throw ApiError.conflict(`OVS already has an interface named ${name}`);
        let target: FlowTarget | undefined;
        if (prefixes.length > 0) {
          target = bridge.datapathId ? opts.switches.get(bridge.datapathId) : undefined;
          if (!target) {
            throw ApiError.conflict(`the switch of bridge ${b.bridge} (datapath ${bridge.datapathId ?? "unknown"}) is not connected to this controller, so the tunnel's flows cannot be installed`);
          }
        }

        let tunnel: Tunnel;
        try {
          tunnel = await backend.connect({ bridge: b.bridge, remoteSite: b.site, remoteIp: b.remoteIp, key: b.key, localIp: b.localIp, portName: name });
        } catch (err) {
          throw new ApiError(502, "OVSDB_FAILED", `OVSDB could not create ${name}: ${(err as Error).message}`);
        }
        const flows: TunnelFlows = { dpid: bridge.datapathId, prefixes, cookie: COOKIE_OVERLAY | nextCookieId++ };
        if (target) {
          try {
            await send(target, modsFor(tunnel, flows));
          } catch (err) {
            // Leave nothing half-made: no flows answered, so no tunnel either.
            await backend.disconnect(b.bridge, b.site).catch(() => {});
            throw new ApiError(502, "SWITCH_FAILED", `installing the flows of ${name} on ${bridge.datapathId} failed (${(err as Error).message}); the tunnel was removed again`);
          }
        }
        flowsOf.set(name, flows);
        return tunnel;
      });
      const body = json(created, "up");
      opts.emit({ type: "overlay.tunnel.up", tunnel: body });
      return reply.code(201).send(body);
    },
  );

  app.delete<{ Params: { name: string } }>(
    "/v1/overlay/tunnels/:name",
    {
      schema: {
        summary: "Remove a tunnel's flows, then its vxlan port",
        tags: ["overlay"],
        params: { type: "object", required: ["name"], properties: { name: { type: "string", minLength: 1, maxLength: 64 } } },
        response: { 200: tunnelSchema, 404: errorSchema, 502: errorSchema, 503: errorSchema },
      },
    },
    async (req) => {
      const body = await serialize(async () => {
        const t = byName(req.params.name);
        if (!t) throw ApiError.notFound(`no overlay tunnel named ${req.params.name}`);
        await ready();
        const f = flowsOf.get(t.portName);
        // A switch that is not connected has no flows to remove: the controller wipes it when it comes back.
        const target = f?.dpid && f.prefixes.length > 0 ? opts.switches.get(f.dpid) : undefined;
        if (f && target) {
          await send(target, [{ type: "flowMod", xid: 0, command: "delete", cookie: f.cookie, cookieMask: 0xffff_ffff_ffff_ffffn, tableId: 0xff }]);
        }
        try {
          await backend.disconnect(t.bridge, t.remoteSite);
        } catch (err) {
          throw new ApiError(502, "OVSDB_FAILED", `OVSDB could not remove ${t.portName}: ${(err as Error).message}`);
        }
        const removed = json(t, "removed");
        flowsOf.delete(t.portName);
        return removed;
      });
      opts.emit({ type: "overlay.tunnel.down", tunnel: body });
      return body;
    },
  );
};
