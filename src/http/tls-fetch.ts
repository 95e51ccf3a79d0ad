// The client side of the services' mutual TLS: a fetch over node:https that
// presents this process's certificate (or a bearer token), trusts only the
// project CA, and accepts a server whose certificate either names the host
// it was reached on or carries the role the caller expects (an agent reached
// on a namespace address it was not issued for is still an agent of our CA).
// The typed clients take it through JsonClientOptions.tls; WebSocket clients
// take wsTlsOptions.
import * as http from "node:http";
import * as https from "node:https";
import { Readable } from "node:stream";
import { checkServerIdentity, type PeerCertificate } from "node:tls";
import { identityOfCertificate, type Role } from "../trust/identity.js";

/** What JsonClient and the image sender call; the global fetch has this shape. */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** How a client proves itself and whom it trusts. */
export interface ClientTls {
  /** The project CA certificate (PEM). */
  ca: Buffer | string;
  /** This client's certificate and key (mutual TLS); or `token` instead. */
  cert?: Buffer | string;
  key?: Buffer | string;
  /** A bearer token (certs token), for devices and people without a certificate. */
  token?: string;
}

/** Accepts the server when its certificate names the host, or else names the role the caller expects. */
export function serverCheck(expectRole?: Role): (host: string, cert: PeerCertificate) => Error | undefined {
  return (host, cert) => {
    const byHost = checkServerIdentity(host, cert);
    if (!byHost) return undefined;
    const id = identityOfCertificate(cert as unknown as Parameters<typeof identityOfCertificate>[0]);
    if (expectRole && !("problem" in id) && id.role === expectRole) return undefined;
    return new Error(`${byHost.message}${expectRole ? `, and it is not a ${expectRole} certificate of the project CA` : ""}`);
  };
}

/** What node:https and ws take for a TLS client. */
export function tlsClientOptions(tls: ClientTls, expectRole?: Role): https.AgentOptions {
  return { ca: tls.ca, ...(tls.cert && tls.key ? { cert: tls.cert, key: tls.key } : {}), checkServerIdentity: serverCheck(expectRole) };
}

/** Headers a WebSocket client sends: the bearer token, if that is how it proves itself. */
export function authHeaders(tls: ClientTls | undefined): Record<string, string> {
  return tls?.token ? { authorization: `Bearer ${tls.token}` } : {};
}

/** Options for `new WebSocket(url, options)` (ws) under this TLS config. */
export function wsTlsOptions(tls: ClientTls | undefined, expectRole?: Role): Record<string, unknown> {
  return tls ? { ...tlsClientOptions(tls, expectRole), headers: authHeaders(tls) } : {};
}

const NO_BODY_STATUS = new Set([101, 204, 205, 304]);

/** A fetch (as JsonClient and the image sender use it) speaking HTTPS with this TLS config; http:// URLs go out plain. */
export function tlsFetch(tls: ClientTls, expectRole?: Role): Fetch {
  const agent = new https.Agent({ keepAlive: true, ...tlsClientOptions(tls, expectRole) });
  return (url, init) =>
    new Promise<Response>((resolve, reject) => {
      const u = new URL(url);
      const headers: Record<string, string> = { ...authHeaders(tls) };
      new Headers(init.headers).forEach((v, k) => {
        headers[k] = v;
      });
      const send = u.protocol === "https:" ? https.request : http.request;
      const req = send(u, { method: init.method ?? "GET", headers, ...(u.protocol === "https:" ? { agent } : {}), ...(init.signal ? { signal: init.signal } : {}) }, (res) => {
        const out = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) for (const one of [v].flat()) out.append(k, one);
        const empty = NO_BODY_STATUS.has(res.statusCode ?? 0) || init.method === "HEAD";
        if (empty) res.resume();
        resolve(new Response(empty ? null : (Readable.toWeb(res) as ReadableStream), { status: res.statusCode ?? 500, statusText: res.statusMessage ?? "", headers: out }));
      });
      req.on("error", reject);
      const body = init.body;
      if (body === undefined || body === null) req.end();
      else if (typeof body === "string" || body instanceof Uint8Array) req.end(body);
      else if (body instanceof ReadableStream) Readable.fromWeb(body as import("node:stream/web").ReadableStream).on("error", reject).pipe(req);
      else if (typeof (body as unknown as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function") Readable.from(body as unknown as AsyncIterable<Uint8Array>).on("error", reject).pipe(req);
      else req.end(String(body));
    });
}
