// Who may call what, the same in every service. Each service declares one
// access table (route → roles, beside its routes: scheduler/service/access.ts,
// controller/api/access.ts, edge-agent/service/access.ts); installAuth checks
// that every route the app registers has its row (a route without one stops
// the app from building), and on each request, before the body is even read:
//   - the caller's identity: the verified client certificate of the project CA
//     (role and name inside it), else a bearer token signed by the CA;
//     neither, or a bad one: 401;
//   - its role against the route's row: 403;
//   - a WebSocket upgrade whose Origin is neither the service's own nor on the
//     allow-list: 403.
// Rows may bind a role to a name (an agent reports only for its own node, a
// device releases only its own tasks): that check runs after validation and
// before the handler, so still before any side effect.
import type { TLSSocket } from "node:tls";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { type Identity, identityOfCertificate, type Role } from "../trust/identity.js";
import { ApiError } from "./api-error.js";

/** A route's row: the roles that may call it; `own` binds a role to the name the request is about. */
export interface RouteAccess {
  roles: readonly Role[];
  /** For these roles, the caller's name must equal what this returns for the (validated) request; undefined: nothing to own (404 comes later). */
  own?: Partial<Record<Role, (req: FastifyRequest) => string | undefined>>;
  /** Shown in the README's table beside the roles. */
  note?: string;
  /** Anyone may fetch it, with no credentials: only for files that hold no data (the dashboard's page, script, stylesheet). */
  public?: true;
}

/** "METHOD /url" as fastify spells the route ("GET /v1/tasks/:id") → its row. HEAD uses GET's row. */
export type AccessTable = Readonly<Record<string, RouteAccess>>;

export interface AuthOptions {
  table: AccessTable;
  /** A bearer token's identity, or why not; none: tokens are refused. */
  verifyToken?: (token: string) => { ok: true; identity: Identity } | { ok: false; problem: string };
  /** Origins a browser's WebSocket may come from (scheme://host:port); none: only non-browser clients (no Origin). */
  allowedOrigins?: readonly string[];
}

declare module "fastify" {
  interface FastifyRequest {
    /** Who called, once authenticated (undefined in --insecure mode). */
    identity?: Identity;
  }
}

export function accessKey(method: string, url: string): string {
  return `${method === "HEAD" ? "GET" : method} ${url}`;
}

/** Installs the checks; call on the root instance before any route is registered. */
export function installAuth(app: FastifyInstance, opts: AuthOptions): void {
  const origins = new Set(opts.allowedOrigins ?? []);
  app.decorateRequest("identity", undefined);
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) {
      if (!opts.table[accessKey(method, route.url ?? route.path)]) throw new Error(`route ${method} ${route.url} has no row in the access table`);
    }
  });
  app.addHook("onRequest", async (req) => {
    const url = req.routeOptions.url;
    if (url !== undefined && opts.table[accessKey(req.method, url)]?.public) return;
    const identity = authenticate(req, opts);
    req.identity = identity;
    if (url === undefined) return; // no such route: the 404 handler answers, to an authenticated caller only
    const row = opts.table[accessKey(req.method, url)];
    if (!row) throw new ApiError(403, "FORBIDDEN", `${req.method} ${url}: no role may call it`);
    if (!row.roles.includes(identity.role)) {
      throw new ApiError(403, "FORBIDDEN", `${req.method} ${url}: role ${identity.role} (${identity.name}) may not call it; allowed: ${row.roles.join(", ")}`);
    }
    const origin = req.headers.origin;
    if (isUpgrade(req) && origin !== undefined && !origins.has(origin) && !sameOrigin(origin, req)) {
      throw new ApiError(403, "FORBIDDEN", `WebSocket from origin ${origin} refused: not on the allow-list (--allow-origin)`);
    }
  });
  app.addHook("preHandler", async (req) => {
    const url = req.routeOptions.url;
    const own = url === undefined ? undefined : opts.table[accessKey(req.method, url)]?.own?.[req.identity!.role];
    if (!own) return;
    const owner = own(req);
    if (owner !== undefined && owner !== req.identity!.name) {
      throw new ApiError(403, "FORBIDDEN", `${req.identity!.role} ${req.identity!.name} may not act for ${owner}`);
    }
  });
}

/** The caller's identity, or a 401 saying what was wrong. */
export function authenticate(req: FastifyRequest, opts: Pick<AuthOptions, "verifyToken">): Identity {
  const socket = req.raw.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate === "function") {
    const cert = socket.getPeerCertificate();
    if (cert && Object.keys(cert).length > 0) {
      if (!socket.authorized) throw unauthenticated(`client certificate refused: ${String(socket.authorizationError ?? "not signed by the project CA")}`);
      const id = identityOfCertificate(cert as Parameters<typeof identityOfCertificate>[0]);
      if ("problem" in id) throw unauthenticated(id.problem);
      return id;
    }
  }
  // A browser cannot set headers on a WebSocket: its token comes as ?token= on the upgrade request only.
  const header = req.headers.authorization ?? (isUpgrade(req) ? queryToken(req) : undefined);
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw unauthenticated("Authorization header is not 'Bearer TOKEN'");
    if (!opts.verifyToken) throw unauthenticated("this service takes no bearer tokens");
    const verdict = opts.verifyToken(m[1]!);
    if (!verdict.ok) throw unauthenticated(verdict.problem);
    return verdict.identity;
  }
  throw unauthenticated("no credentials: present a client certificate of the project CA or a bearer token (fleximigrate certs)");
}

/** The service's own pages (the scheduler's dashboard) may open its sockets: Origin names the host the request came to. */
function sameOrigin(origin: string, req: FastifyRequest): boolean {
  try {
    const o = new URL(origin);
    const scheme = (req.raw.socket as Partial<TLSSocket>).encrypted ? "https:" : "http:";
    // Through URL on both sides, so that a default port written out (":80", ":443") compares equal.
    return o.protocol === scheme && req.headers.host !== undefined && o.host === new URL(`${scheme}//${req.headers.host}`).host;
  } catch {
    return false;
  }
}

function isUpgrade(req: FastifyRequest): boolean {
  return req.headers.upgrade?.toLowerCase() === "websocket";
}

function queryToken(req: FastifyRequest): string | undefined {
  const token = new URL(req.url, "http://x").searchParams.get("token");
  return token ? `Bearer ${token}` : undefined;
}

function unauthenticated(message: string): ApiError {
  return new ApiError(401, "UNAUTHENTICATED", message);
}
