// How a service is secured, given once to its app builder: served over HTTPS
// with its certificate (clients verified against the project CA, but not
// required at the handshake: a device may present a bearer token instead),
// and every route checked by src/http/auth.ts. Without it the service speaks
// plain HTTP and checks nothing (--insecure, and the unit tests of routes).
import type { FastifyInstance } from "fastify";
import type { TlsMaterial } from "../trust/tls-dir.js";
import { verifyToken } from "../trust/token.js";
import { type AccessTable, type AuthOptions, installAuth } from "./auth.js";

export interface ServiceSecurity {
  /** HTTPS with this certificate and key; the CA verifies clients. None: checks only (tests through inject). */
  tls?: Pick<TlsMaterial, "ca" | "cert" | "key">;
  verifyToken?: AuthOptions["verifyToken"];
  /** Origins a browser's WebSocket may come from. */
  allowedOrigins?: readonly string[];
}

/** The security of a service that loaded its trust directory: HTTPS, client certificates, tokens signed by the CA. */
export function securityOf(material: TlsMaterial, allowedOrigins: readonly string[] = []): ServiceSecurity {
  return {
    tls: material,
    verifyToken: (token) => verifyToken(token, material.caPublicKey),
    allowedOrigins,
  };
}

/** Fastify's constructor options for HTTPS under this security; none for plain HTTP. */
export function httpsOptions(security: ServiceSecurity | undefined): { https?: Record<string, unknown> } {
  const tls = security?.tls;
  if (!tls) return {};
  return { https: { ca: tls.ca, cert: tls.cert, key: tls.key, requestCert: true, rejectUnauthorized: false, minVersion: "TLSv1.2" } };
}

/** Installs the access checks when the service is secured; call before any route is registered. */
export function secure(app: FastifyInstance, security: ServiceSecurity | undefined, table: AccessTable): void {
  if (!security) return;
  installAuth(app, { table, ...(security.verifyToken ? { verifyToken: security.verifyToken } : {}), ...(security.allowedOrigins ? { allowedOrigins: security.allowedOrigins } : {}) });
}
