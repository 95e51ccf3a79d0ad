// The attribute certificate's format: a payload (node name, country,
// organisations, validity, the node's public key, the issuing PCA's key id)
// and an Ed25519 signature over its canonical bytes. Parsing is strict (exact
// fields, checked values), so what verifies is exactly what was signed.
import type { AttributeCertificate, AttributeCertificatePayload } from "../api-types/scheduler.js";
import { isCountryCode } from "./countries.js";

export type { AttributeCertificate, AttributeCertificatePayload };

export const CERT_FORMAT = "fleximigrate-attribute-certificate";

/** Signed bytes start with this, so a signature over a certificate can never pass for one over anything else. */
const DOMAIN = "fleximigrate attribute certificate v1\n";

/** Node names as the scheduler accepts them. */
export const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
/** Organisation codes: short identifiers (ACME, acme-gmbh, 4711). */
export const ORGANISATION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const MAX_ORGANISATIONS = 32;
const HEX32 = /^[0-9a-f]{32}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;

/** The bytes a PCA signs: the domain line and the payload as JSON with sorted keys, no spaces. */
export function signedBytes(payload: AttributeCertificatePayload): Buffer {
  return Buffer.from(DOMAIN + canonicalJson(payload), "utf8");
}

/** JSON with object keys sorted at every level: one text per value. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export class CertificateFormatError extends Error {
  override name = "CertificateFormatError";
}

/** Checks a parsed JSON value is a well-formed certificate (not that it is trusted: see verify.ts); throws naming the field. */
export function parseCertificate(value: unknown): AttributeCertificate {
  const cert = exactObject(value, ["format", "payload", "signature"], "certificate");
  if (cert.format !== CERT_FORMAT) throw new CertificateFormatError(`format must be '${CERT_FORMAT}'`);
  const signature = base64url(cert.signature, 64, "signature");
  return { format: CERT_FORMAT, payload: parsePayload(cert.payload), signature };
}

function parsePayload(value: unknown): AttributeCertificatePayload {
  const p = exactObject(
    value,
    ["version", "serial", "subject", "country", "organisations", "notBefore", "notAfter", "subjectPublicKey", "issuer"],
    "payload",
  );
  if (p.version !== 1) throw new CertificateFormatError("payload.version must be 1");
  if (typeof p.serial !== "string" || !HEX32.test(p.serial)) throw new CertificateFormatError("payload.serial must be 32 lowercase hex digits");
  if (typeof p.subject !== "string" || !NODE_NAME.test(p.subject)) throw new CertificateFormatError("payload.subject must be a node name");
  const country = countryCode(p.country, "payload.country");
  const organisations = organisationList(p.organisations, "payload.organisations");
  const notBefore = isoTime(p.notBefore, "payload.notBefore");
  const notAfter = isoTime(p.notAfter, "payload.notAfter");
  if (Date.parse(notAfter) <= Date.parse(notBefore)) throw new CertificateFormatError("payload.notAfter must be after payload.notBefore");
  const subjectPublicKey = base64url(p.subjectPublicKey, 32, "payload.subjectPublicKey");
  if (typeof p.issuer !== "string" || !HEX32.test(p.issuer)) throw new CertificateFormatError("payload.issuer must be a PCA key id (32 lowercase hex digits)");
  return { version: 1, serial: p.serial, subject: p.subject, country, organisations, notBefore, notAfter, subjectPublicKey, issuer: p.issuer };
}

/** An ISO 3166-1 alpha-2 code, upper case. */
export function countryCode(value: unknown, what: string): string {
  if (!isCountryCode(value)) throw new CertificateFormatError(`${what} must be an ISO 3166-1 alpha-2 country code (e.g. DE), got ${JSON.stringify(value)}`);
  return value;
}

/** 1 to 32 organisation codes, no duplicates. */
export function organisationList(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_ORGANISATIONS)
    throw new CertificateFormatError(`${what} must be a list of 1 to ${MAX_ORGANISATIONS} organisation codes`);
  for (const o of value) {
    if (typeof o !== "string" || !ORGANISATION.test(o)) throw new CertificateFormatError(`${what}: ${JSON.stringify(o)} is not an organisation code (letters, digits, . _ -)`);
  }
  if (new Set(value).size !== value.length) throw new CertificateFormatError(`${what} lists an organisation twice`);
  return [...value] as string[];
}

function isoTime(value: unknown, what: string): string {
  // Only the canonical form (what toISOString writes), so a time has one spelling in signed bytes.
  if (typeof value !== "string" || Number.isNaN(Date.parse(value)) || new Date(value).toISOString() !== value)
    throw new CertificateFormatError(`${what} must be an ISO time like 2026-01-31T00:00:00.000Z`);
  return value;
}

function base64url(value: unknown, bytes: number, what: string): string {
  if (typeof value !== "string" || !B64URL.test(value) || Buffer.from(value, "base64url").length !== bytes || Buffer.from(value, "base64url").toString("base64url") !== value)
    throw new CertificateFormatError(`${what} must be ${bytes} bytes in base64url`);
  return value;
}

function exactObject(value: unknown, keys: string[], what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new CertificateFormatError(`${what} must be a JSON object`);
  for (const k of Object.keys(value)) if (!keys.includes(k)) throw new CertificateFormatError(`${what} has an unknown field '${k}'`);
  for (const k of keys) if (!Object.hasOwn(value, k)) throw new CertificateFormatError(`${what} lacks '${k}'`);
  return value as Record<string, unknown>;
}
