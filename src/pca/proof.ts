// Proof that a registering agent holds its node's private key: an Ed25519
// signature by the key the certificate names, over the registration (name,
// tier, capacity, delay, endpoint), the certificate's serial and the time. A
// copy of someone else's certificate is then worth nothing without their key.
import { createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import type { NodeSpec, RegistrationProof } from "../api-types/scheduler.js";
import { type AttributeCertificate, canonicalJson } from "./certificate.js";
import { rawPublicKey } from "./keys.js";

export type { RegistrationProof };

const DOMAIN = "fleximigrate node registration v1\n";
/** How far the proof's time may be from the scheduler's clock. */
export const MAX_SKEW_MS = 5 * 60_000;

function signed(spec: NodeSpec, cert: AttributeCertificate, at: string): Buffer {
  const { name, tier, cpus, netDelayMs, endpoint } = spec;
  return Buffer.from(DOMAIN + canonicalJson({ name, tier, cpus, netDelayMs, endpoint: endpoint ?? null, serial: cert.payload.serial, at }), "utf8");
}

/** The agent's proof for registering `spec` with `cert`, signed by the node key, at `now`. */
export function proveRegistration(spec: NodeSpec, cert: AttributeCertificate, nodeKey: KeyObject, now: Date): RegistrationProof {
  const at = now.toISOString();
  return { at, signature: sign(null, signed(spec, cert, at), nodeKey).toString("base64url") };
}

/** Whether `nodeKey` (a private key) is the one `cert` certifies. */
export function keyMatches(cert: AttributeCertificate, nodeKey: KeyObject): boolean {
  return rawPublicKey(nodeKey) === cert.payload.subjectPublicKey;
}

/** Why `proof` does not show that the registrant of `spec` holds the key `cert` certifies, or undefined when it does. */
export function proofProblem(spec: NodeSpec, cert: AttributeCertificate, proof: RegistrationProof | undefined, now: Date): string | undefined {
  if (!proof) return "a node presenting an attribute certificate must prove it holds the node key (proof; agent --node-key)";
  const t = Date.parse(proof.at);
  if (Number.isNaN(t) || new Date(t).toISOString() !== proof.at) return "proof.at must be an ISO time like 2026-01-31T00:00:00.000Z";
  if (Math.abs(now.getTime() - t) > MAX_SKEW_MS) return `proof.at ${proof.at} is more than ${MAX_SKEW_MS / 60_000} minutes from the scheduler's clock`;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: cert.payload.subjectPublicKey }, format: "jwk" });
  } catch {
    return "the certificate's subjectPublicKey is not an Ed25519 key";
  }
  let ok = false;
  try {
    ok = verify(null, signed(spec, cert, proof.at), key, Buffer.from(proof.signature, "base64url"));
  } catch {
    ok = false;
  }
  return ok ? undefined : "proof.signature does not verify with the certificate's node key (the registrant does not hold it, or the registration was changed)";
}
