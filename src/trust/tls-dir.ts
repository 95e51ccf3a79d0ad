// A service's or a client's side of the trust directory: the CA certificate
// (to verify peers and tokens) and the holder's own certificate and key,
// read once at start. The same DIR serves every identity in it, each as
// ROLE-NAME.crt/.key (pki.ts); a service reads its own.
import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { type Identity, identityOfCertificate } from "./identity.js";
import { CA_CERT, CA_KEY, identityFiles, PkiError, readPrivateFile } from "./pki.js";

/** What node:tls and node:https take, plus who the holder is and the CA's key to verify tokens with. */
export interface TlsMaterial {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
  identity: Identity;
  /** The CA's public key: verifies bearer tokens. */
  caPublicKey: KeyObject;
}

export function loadTlsMaterial(dir: string, id: Identity): TlsMaterial {
  const files = identityFiles(dir, id);
  const ca = readFile(path.join(dir, CA_CERT));
  const cert = readFile(files.cert);
  const key = readPrivateFile(files.key);
  let caX509: X509Certificate;
  let own: X509Certificate;
  try {
    caX509 = new X509Certificate(ca);
    own = new X509Certificate(cert);
  } catch (err) {
    throw new PkiError(`${dir}: not a PEM certificate (${(err as Error).message})`);
  }
  if (!own.verify(caX509.publicKey)) throw new PkiError(`${files.cert} is not signed by ${path.join(dir, CA_CERT)}`);
  if (!own.checkPrivateKey(createPrivateKey(key))) throw new PkiError(`${files.key} is not the key of ${files.cert}`);
  const named = identityOfCertificate({ subject: subjectOf(own.subject), subjectaltname: own.subjectAltName });
  if ("problem" in named || named.role !== id.role || named.name !== id.name) throw new PkiError(`${files.cert} is not issued for ${id.role} ${id.name}`);
  return { ca, cert, key, identity: id, caPublicKey: caX509.publicKey };
}

/** The CA's private key, for `certs token` only. */
export function readCaKey(dir: string): KeyObject {
  return createPrivateKey(readPrivateFile(path.join(dir, CA_KEY)));
}

export function readCaPublicKey(dir: string): KeyObject {
  return createPublicKey(new X509Certificate(readFile(path.join(dir, CA_CERT))).publicKey.export({ format: "pem", type: "spki" }));
}

/** The trust directory a CLI command uses by default: FLEXIMIGRATE_TLS_DIR, else the state folder's tls/. */
export function defaultTlsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLEXIMIGRATE_TLS_DIR) return env.FLEXIMIGRATE_TLS_DIR;
  if (process.getuid?.() === 0) return "/var/lib/fleximigrate/tls";
  const base = env.XDG_STATE_HOME || path.join(homedir(), ".local", "state");
  return path.join(base, "fleximigrate", "tls");
}

/** X509Certificate.subject is "O=...\nOU=...\nCN=..." */
function subjectOf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

function readFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new PkiError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
