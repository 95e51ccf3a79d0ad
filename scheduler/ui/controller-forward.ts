// The dashboard's read-only way to the controller: a few GET routes and the
// event stream, forwarded by the scheduler under /ui/api/controller. Chosen over
// CORS on the controller because the browser then talks to one origin only
// (one port to open or tunnel, one place for the coming bearer tokens), and
// because read-only holds by construction: only the GETs listed here exist,
// each mapped to one ControllerClient method; no method or path reaches the
// controller's mutating routes. The scheduler checks the caller (a viewer or an
// admin, its access table) and reaches the controller with its own
// credentials, as for every other call it makes.
import type { FastifyPluginAsync } from "fastify";
import WebSocket from "ws";
import { ControllerClient } from "../../src/clients/controller.js";
import { baseUrlsOf } from "../../src/http/json-client.js";
import { ApiError, type ErrorCode } from "../../src/http/api-error.js";
import { ServiceError } from "../../src/http/client-errors.js";
import { errorResponses } from "../../src/http/error-schema.js";
import type { Subscriber } from "../../src/http/event-hub.js";
import { eventsPlugin } from "../../src/http/events-plugin.js";
import { type ClientTls, wsTlsOptions } from "../../src/http/tls-fetch.js";

export const CONTROLLER_FORWARD_PREFIX = "/ui/api/controller";

/** What may be read: the path (as the controller spells it) and the client call that reads it. */

const READS: Array<{ url: string; summary: string; read: (c: ControllerClient, params: Record<string, string>) => Promise<unknown> }> = [
  { url: "/v1/topology", summary: "the controller's topology (switches, links)", read: (c) => c.topology() },
  { url: "/v1/switches", summary: "connected switches", read: (c) => c.switches() },
  { url: "/v1/switches/:dpid/flows", summary: "a switch's flow table, live by MULTIPART", read: (c, p) => c.flows(p.dpid!) },
  { url: "/v1/switches/:dpid/ports", summary: "a switch's ports", read: (c, p) => c.ports(p.dpid!) },
  { url: "/v1/hosts", summary: "hosts the controller learned", read: (c) => c.hosts() },
  { url: "/v1/dns", summary: "DNS records", read: (c) => c.dns() },
  { url: "/v1/redirects", summary: "redirects of moved services", read: (c) => c.redirects() },
  { url: "/v1/overlay", summary: "VXLAN overlay tunnels", read: (c) => c.overlay() },
  { url: "/v1/nodes", summary: "named places (node, switch, port, site)", read: (c) => c.nodes() },
];

/** The forwarded URLs (under CONTROLLER_FORWARD_PREFIX), for the scheduler's access table. */
export const CONTROLLER_FORWARD_READS = READS.map((r) => r.url);

export const FORWARDED_READS = READS.map((r) => r.url);

const dpidParams = {
  type: "object",
  required: ["dpid"],
  additionalProperties: false,
  properties: { dpid: { type: "string", pattern: "^(0x)?[0-9a-fA-F]{1,16}$" } },
} as const;

export interface ControllerForwardOptions {
  /** The scheduler's --controller; without one every read answers 503. */
  controllerUrl?: string;
  /**
   * The scheduler's own credentials towards the controller: the scheduler has
   * already checked the caller (a viewer or an admin, its access table), and
   * the controller sees the scheduler, as for every other call it makes.
   */
  tls?: ClientTls;
  /** Opens the upstream event socket (tests may pass their own). */
  connect?: (url: string) => WebSocket;
}

export function controllerForward(opts: ControllerForwardOptions): FastifyPluginAsync {
  return async (app) => {
    for (const r of READS) {
      app.get<{ Params: Record<string, string> }>(
        r.url,
        {
          schema: {
            tags: ["ui"],
            summary: `Dashboard: ${r.summary} (read-only forward to the controller)`,
            ...(r.url.includes(":dpid") ? { params: dpidParams } : {}),
            response: errorResponses(400, 404, 502, 503, 504),
          },
        },
        async (req) => {
          if (!opts.controllerUrl) throw new ApiError(503, "UNAVAILABLE", "the scheduler was started without --controller: no topology, flows or DNS to show");
          const client = new ControllerClient(opts.controllerUrl, { timeoutMs: 10_000, backoff: { attempts: 1, baseMs: 0, maxMs: 0 }, ...(opts.tls ? { tls: opts.tls } : {}) });
          try {
            return await r.read(client, req.params);
          } catch (err) {
            throw forwardedError(err);
          }
        },
      );
    }
    await app.register(eventsPlugin({ hub: relay(opts), summary: "Dashboard: the controller's events, relayed (one upstream socket while anyone listens)" }));
  };
}

/** The controller's answer as ours: its status and code when it answered, 503 when it could not be reached. */
export function forwardedError(err: unknown): ApiError {
  if (err instanceof ServiceError) {
    const code = (err.code ?? (err.status === 404 ? "NOT_FOUND" : "UNAVAILABLE")) as ErrorCode;
    return new ApiError(err.status >= 400 && err.status < 600 ? err.status : 502, code, `controller: ${err.serviceMessage}`);
  }
  return new ApiError(503, "UNAVAILABLE", (err as Error).message);
}

/**
 * A hub whose events come from the controller's /v1/events: the upstream
 * socket opens with the first subscriber and closes with the last; a lost one
 * is opened again a second later while anyone listens.
 */
export function relay(opts: ControllerForwardOptions): { subscribe(s: Subscriber<{ type: string }>): () => void } {
  const subscribers = new Set<Subscriber<{ type: string }>>();
  let upstream: WebSocket | undefined;
  let retry: NodeJS.Timeout | undefined;
  const connect = opts.connect ?? ((url: string) => new WebSocket(url, wsTlsOptions(opts.tls, "controller")));
  // Controller replicas (--controller URL1,URL2): each reconnect tries the next, so the leader's socket is found.
  const urls = opts.controllerUrl ? baseUrlsOf(opts.controllerUrl) : [];
  let tries = 0;
  const open = () => {
    if (upstream || urls.length === 0 || subscribers.size === 0) return;
    const s = connect(`${urls[tries++ % urls.length]!.replace(/^http/, "ws")}/v1/events`);
    upstream = s;
    s.on("message", (raw) => {
      let e: { type: string; at: string };
      try {
        e = JSON.parse(String(raw)) as { type: string; at: string };
      } catch {
        return;
      }
      if (typeof e?.type !== "string") return;
      for (const sub of [...subscribers]) sub(e);
    });
    const lost = () => {
      if (upstream !== s) return;
      upstream = undefined;
      if (subscribers.size > 0 && !retry) {
        retry = setTimeout(() => {
          retry = undefined;
          open();
        }, 1000);
        retry.unref();
      }
    };
    s.on("error", lost);
    s.on("close", lost);
  };
  const close = () => {
    clearTimeout(retry);
    retry = undefined;
    const s = upstream;
    upstream = undefined;
    s?.removeAllListeners();
    s?.on("error", () => {});
    s?.terminate();
  };
  return {
    subscribe(sub) {
      const entry: Subscriber<{ type: string }> = (e) => sub(e);
      subscribers.add(entry);
      open();
      return () => {
        subscribers.delete(entry);
        if (subscribers.size === 0) close();
      };
    },
  };
}
