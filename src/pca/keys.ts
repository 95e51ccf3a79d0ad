// Ed25519 keys through node:crypto: key pairs, the key id a certificate names
// its issuer by, signing and checking the certificate's canonical bytes.
import { createHash, createPublicKey, generateKeyPairSync, type KeyObject, randomBytes, sign, verify } from "node:crypto";
import { type AttributeCertificate, type AttributeCertificatePayload, CERT_FORMAT, signedBytes } from "./certificate.js";

export interface KeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

/** A PCA the scheduler trusts: its public key and the id certificates name it by. */
export interface TrustedPca {
  id: string;
  publicKey: KeyObject;
}

export function generateKeyPair(): KeyPair {
  return generateKeyPairSync("ed25519");
}

/** The raw 32 bytes of an Ed25519 public key, base64url (as the JWK's x). */
export function rawPublicKey(key: KeyObject): string {
  const publicKey = key.type === "private" ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType !== "ed25519") throw new Error(`expected an Ed25519 key, got ${publicKey.asymmetricKeyType ?? "a symmetric key"}`);
  const x = publicKey.export({ format: "jwk" }).x;
  if (!x) throw new Error("cannot read the public key");
  return x;
}

/** First 16 bytes of SHA-256 of the raw public key, hex. */
export function keyId(key: KeyObject): string {
  return createHash("sha256").update(Buffer.from(rawPublicKey(key), "base64url")).digest("hex").slice(0, 32);
}

export function trustedPca(publicKey: KeyObject): TrustedPca {
  return { id: keyId(publicKey), publicKey };
}

export interface Attributes {
  subject: string;
  country: string;
  organisations: string[];
  notBefore: Date;
  notAfter: Date;
  /** The node's public key. */
  subjectKey: KeyObject;
}

/** A certificate over `attributes`, signed by the PCA's private key. */
export function issueCertificate(pcaKey: KeyObject, a: Attributes): AttributeCertificate {
  const payload: AttributeCertificatePayload = {
    version: 1,
    serial: randomBytes(16).toString("hex"),
    subject: a.subject,
    country: a.country,
    organisations: [...a.organisations].sort(),
    notBefore: a.notBefore.toISOString(),
    notAfter: a.notAfter.toISOString(),
    subjectPublicKey: rawPublicKey(a.subjectKey),
    issuer: keyId(pcaKey),
  };
  return { format: CERT_FORMAT, payload, signature: sign(null, signedBytes(payload), pcaKey).toString("base64url") };
}

/** Whether `signature` is `key`'s over the payload's canonical bytes. */
export function signatureValid(payload: AttributeCertificatePayload, signature: string, key: KeyObject): boolean {
  try {
    return verify(null, signedBytes(payload), key, Buffer.from(signature, "base64url"));
  } catch {
    return false;
  }
}
