// The PCA's files: a key pair in a directory (pca.key PKCS#8 PEM, mode 0600;
// pca.pub SPKI PEM), node key pairs, and certificates as JSON. Private keys
// are written once (never over an existing file), read only when no one but
// the owner can read them, and never printed.
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type AttributeCertificate, parseCertificate } from "./certificate.js";
import { generateKeyPair, type KeyPair, keyId } from "./keys.js";

export const PCA_KEY = "pca.key";
export const PCA_PUB = "pca.pub";

/** An expected problem with a file: the message names it. */
export class PcaFileError extends Error {
  override name = "PcaFileError";
}

/** Writes a new key pair as `base`.key (0600) and `base`.pub; refuses to overwrite either. */
export function writeKeyPair(base: string, pair: KeyPair = generateKeyPair()): { keyFile: string; pubFile: string; id: string } {
  const keyFile = `${base}.key`;
  const pubFile = `${base}.pub`;
  writeNew(keyFile, pair.privateKey.export({ format: "pem", type: "pkcs8" }) as string, 0o600);
  writeNew(pubFile, pair.publicKey.export({ format: "pem", type: "spki" }) as string, 0o644);
  return { keyFile, pubFile, id: keyId(pair.publicKey) };
}

/** `pca init DIR`: the directory (0700, created if needed) and the PCA's key pair in it. */
export function initPca(dir: string): { keyFile: string; pubFile: string; id: string } {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new PcaFileError(`cannot create ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return writeKeyPair(path.join(dir, "pca"));
}

/** An Ed25519 private key from a PEM file no one but its owner may read. */
export function readPrivateKey(file: string): KeyObject {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (err) {
    throw new PcaFileError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if ((mode & 0o077) !== 0) throw new PcaFileError(`${file}: private key is readable by others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`);
  const key = keyFrom(file, (pem) => createPrivateKey(pem));
  if (key.asymmetricKeyType !== "ed25519") throw new PcaFileError(`${file}: not an Ed25519 private key`);
  return key;
}

/** An Ed25519 public key from a PEM file (SPKI). */
export function readPublicKey(file: string): KeyObject {
  const key = keyFrom(file, (pem) => {
    if (pem.includes("PRIVATE KEY")) throw new Error("holds a private key; give the .pub file");
    return createPublicKey(pem);
  });
  if (key.asymmetricKeyType !== "ed25519") throw new PcaFileError(`${file}: not an Ed25519 public key`);
  return key;
}

/** A certificate file: JSON, well formed (trust is verify.ts's question). */
export function readCertificate(file: string): AttributeCertificate {
  const text = readText(file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new PcaFileError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  try {
    return parseCertificate(json);
  } catch (err) {
    throw new PcaFileError(`${file}: ${(err as Error).message}`);
  }
}

export function writeCertificate(file: string, cert: AttributeCertificate): void {
  writeNew(file, `${JSON.stringify(cert, null, 2)}\n`, 0o644, true);
}

function keyFrom(file: string, make: (pem: string) => KeyObject): KeyObject {
  const pem = readText(file);
  try {
    return make(pem);
  } catch (err) {
    throw new PcaFileError(`${file}: not a PEM key (${(err as Error).message})`);
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw new PcaFileError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function writeNew(file: string, text: string, mode: number, overwrite = false): void {
  try {
    writeFileSync(file, text, { mode, flag: overwrite ? "w" : "wx" });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new PcaFileError(code === "EEXIST" ? `${file} exists; not overwriting a key` : `cannot write ${file}: ${code ?? (err as Error).message}`);
  }
}
