// Who a caller is: a role and a name, as a certificate of the project CA
// carries them (subject OU=role, CN=name, and the SAN URI
// fleximigrate:ROLE:NAME) or a bearer token states them. Pure.

/** Every role the project CA issues for. viewer: read-only (the dashboard). */
export const ROLES = ["scheduler", "controller", "agent", "admin", "device", "viewer"] as const;
export type Role = (typeof ROLES)[number];

/** The roles a bearer token may carry: people and things that cannot hold a certificate, never a service. */
export const TOKEN_ROLES = ["device", "admin", "viewer"] as const satisfies readonly Role[];
export type TokenRole = (typeof TOKEN_ROLES)[number];

export interface Identity {
  role: Role;
  name: string;
}

/** A name as certificates, node names and device ids spell it: no spaces, no slashes, no colons. */
export const IDENTITY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export class IdentityFormatError extends Error {
  override name = "IdentityFormatError";
}

export function parseRole(raw: string, allowed: readonly Role[] = ROLES): Role {
  if (!(allowed as readonly string[]).includes(raw)) throw new IdentityFormatError(`expected a role out of ${allowed.join(", ")}, got '${raw}'`);
  return raw as Role;
}

export function parseIdentityName(raw: string): string {
  if (!IDENTITY_NAME.test(raw)) throw new IdentityFormatError(`expected a name of letters, digits, . _ - (at most 63, starting with a letter or digit), got '${raw}'`);
  return raw;
}

/** The SAN URI a certificate carries beside its subject. */
export function identityUri(id: Identity): string {
  return `fleximigrate:${id.role}:${id.name}`;
}

/** What node:tls's getPeerCertificate() gives (subject fields may repeat, then they are arrays). */
export interface PeerCertificateView {
  subject?: Record<string, string | string[] | undefined>;
  subjectaltname?: string;
}

/**
 * The identity a verified peer certificate names, or why it names none. The
 * SAN URI and the subject must agree when both are there: a certificate that
 * says two things says nothing.
 */
export function identityOfCertificate(cert: PeerCertificateView): Identity | { problem: string } {
  const ou = single(cert.subject?.OU);
  const cn = single(cert.subject?.CN);
  const uris = (cert.subjectaltname ?? "")
    .split(/,\s*/)
    .filter((s) => s.startsWith("URI:fleximigrate:"))
    .map((s) => s.slice("URI:".length));
  if (uris.length > 1) return { problem: "certificate names more than one fleximigrate identity" };
  let fromUri: Identity | undefined;
  if (uris.length === 1) {
    const m = /^fleximigrate:([a-z]+):(.+)$/.exec(uris[0]!);
    if (!m) return { problem: `certificate SAN ${uris[0]} is not fleximigrate:ROLE:NAME` };
    fromUri = checked(m[1]!, m[2]!);
    if (!fromUri) return { problem: `certificate SAN ${uris[0]} names no known role and valid name` };
  }
  const fromSubject = ou !== undefined && cn !== undefined ? checked(ou, cn) : undefined;
  if (fromUri && fromSubject && (fromUri.role !== fromSubject.role || fromUri.name !== fromSubject.name)) {
    return { problem: "certificate subject and SAN name different identities" };
  }
  const id = fromUri ?? fromSubject;
  return id ?? { problem: "certificate names no role (OU) and name (CN)" };
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? (v.length === 1 ? v[0] : undefined) : v;
}

function checked(role: string, name: string): Identity | undefined {
  if (!(ROLES as readonly string[]).includes(role) || !IDENTITY_NAME.test(name)) return undefined;
  return { role: role as Role, name };
}
