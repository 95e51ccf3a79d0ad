// Bearer tokens for devices, admins and viewers that cannot hold a
// certificate: `fmt1.PAYLOAD.SIGNATURE`, base64url, the payload
// {"role","name","iat","exp"?} signed with the project CA's own private key
// (ECDSA P-256, SHA-256, IEEE P1363 signature). So any service holding the
// CA certificate verifies a token, and only who holds the CA key (the
// `certs` DIR) can make one. Pure apart from node:crypto.
import { type KeyObject, sign, verify } from "node:crypto";
import { type Identity, IDENTITY_NAME, TOKEN_ROLES, type TokenRole } from "./identity.js";

const PREFIX = "fmt1";

export interface TokenClaims {
  role: TokenRole;
  name: string;
  /** Issued at, seconds since the epoch. */
  iat: number;
  /** Expires at, seconds since the epoch; none: valid until the CA changes. */
  exp?: number;
}

export function signToken(caKey: KeyObject, claims: TokenClaims): string {
  const payload = b64url(Buffer.from(JSON.stringify(claims)));
  const signature = sign("sha256", Buffer.from(`${PREFIX}.${payload}`), { key: caKey, dsaEncoding: "ieee-p1363" });
  return `${PREFIX}.${payload}.${b64url(signature)}`;
}

export type TokenVerdict = { ok: true; identity: Identity; claims: TokenClaims } | { ok: false; problem: string };

/** Checks form, signature (against the CA's public key), role and expiry. Never throws. */
export function verifyToken(token: string, caPublicKey: KeyObject, now: Date = new Date(), roles: readonly string[] = TOKEN_ROLES): TokenVerdict {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== PREFIX) return { ok: false, problem: "not a FlexiMigrate token (fmt1.PAYLOAD.SIGNATURE)" };
  const [, payload, signature] = parts as [string, string, string];
  let good: boolean;
  try {
    good = verify("sha256", Buffer.from(`${PREFIX}.${payload}`), { key: caPublicKey, dsaEncoding: "ieee-p1363" }, Buffer.from(signature, "base64url"));
  } catch {
    good = false;
  }
  if (!good) return { ok: false, problem: "token signature does not verify against the CA" };
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return { ok: false, problem: "token payload is not JSON" };
  }
  const c = claims as Partial<TokenClaims>;
  if (typeof c !== "object" || c === null || typeof c.role !== "string" || !roles.includes(c.role)) return { ok: false, problem: "token carries no role a token may have" };
  if (typeof c.name !== "string" || !IDENTITY_NAME.test(c.name)) return { ok: false, problem: "token carries no valid name" };
  if (typeof c.iat !== "number") return { ok: false, problem: "token carries no issue time" };
  if (c.exp !== undefined && (typeof c.exp !== "number" || c.exp * 1000 <= now.getTime())) return { ok: false, problem: "token expired" };
  return { ok: true, identity: { role: c.role as TokenRole, name: c.name }, claims: c as TokenClaims };
}

function b64url(b: Buffer): string {
  return b.toString("base64url");
}
