// The project CA on files, made with the system's `openssl`: DIR/ca.key
// (ECDSA P-256, mode 0600) and DIR/ca.crt; each identity's key and
// certificate as DIR/ROLE-NAME.key (0600) and DIR/ROLE-NAME.crt, the
// certificate carrying the role and name twice (subject OU=ROLE, CN=NAME and
// SAN URI fleximigrate:ROLE:NAME) and, for services, the host names and
// addresses it is served on. Keys are made by node:crypto and written 0600
// before openssl reads them; no key is ever printed or written elsewhere.
import { execFileSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import path from "node:path";
import { type Identity, identityUri } from "./identity.js";

export const CA_KEY = "ca.key";
export const CA_CERT = "ca.crt";

/** Where an identity's files sit in a trust directory. */
export function identityFiles(dir: string, id: Identity): { cert: string; key: string } {
  const base = path.join(dir, `${id.role}-${id.name}`);
  return { cert: `${base}.crt`, key: `${base}.key` };
}

export class PkiError extends Error {
  override name = "PkiError";
}

/** `certs init DIR`: the directory (0700) and the CA in it. Never overwrites a CA. */
export function initCa(dir: string, opts: { days?: number; commonName?: string } = {}): { cert: string; key: string } {
  mkdirPrivate(dir);
  const key = path.join(dir, CA_KEY);
  const cert = path.join(dir, CA_CERT);
  if (existsSync(key) || existsSync(cert)) throw new PkiError(`${dir} already holds a CA (${CA_KEY}/${CA_CERT}); not overwriting it`);
  writeNewKey(key);
  openssl([
    "req", "-x509", "-new", "-key", key, "-out", cert, "-days", String(opts.days ?? 3650), "-sha256",
    "-subj", `/O=FlexiMigrate/CN=${opts.commonName ?? "FlexiMigrate project CA"}`,
    "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0",
    "-addext", "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  return { cert, key };
}

export interface IssueOptions {
  /** DNS names and IP addresses the holder serves on (services); localhost and 127.0.0.1 are always added. */
  hosts?: readonly string[];
  days?: number;
}

/** `certs issue`: a key and a certificate for one identity, signed by DIR's CA. Never overwrites a key. */
export function issueCertificate(dir: string, id: Identity, opts: IssueOptions = {}): { cert: string; key: string } {
  const caKey = path.join(dir, CA_KEY);
  const caCert = path.join(dir, CA_CERT);
  if (!existsSync(caKey) || !existsSync(caCert)) throw new PkiError(`${dir} holds no CA: run fleximigrate certs init ${dir} first`);
  assertPrivate(caKey);
  const files = identityFiles(dir, id);
  if (existsSync(files.key) || existsSync(files.cert)) throw new PkiError(`${files.cert} or its key exists; not overwriting (remove both to issue again)`);
  writeNewKey(files.key);
  const ext = path.join(dir, `.ext-${randomBytes(6).toString("hex")}`);
  const hosts = [...new Set(["localhost", "127.0.0.1", ...(opts.hosts ?? [])])];
  const san = [`URI:${identityUri(id)}`, ...hosts.map((h) => (isIP(h) ? `IP:${h}` : `DNS:${h}`))].join(",");
  writeFileSync(ext, `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=${san}\n`, { mode: 0o600 });
  try {
    const csr = openssl(["req", "-new", "-key", files.key, "-subj", `/O=FlexiMigrate/OU=${id.role}/CN=${id.name}`]);
    openssl(
      ["x509", "-req", "-CA", caCert, "-CAkey", caKey, "-set_serial", `0x${randomBytes(16).toString("hex")}`, "-days", String(opts.days ?? 825), "-sha256", "-extfile", ext, "-out", files.cert],
      csr,
    );
  } catch (err) {
    rmSync(files.key, { force: true });
    throw err;
  } finally {
    rmSync(ext, { force: true });
  }
  return files;
}

/**
 * What `up` and the test harnesses do on first run: a CA in DIR and a
 * certificate for each identity not yet there. Idempotent.
 */
export function ensureTrustDir(dir: string, identities: readonly Identity[], opts: IssueOptions = {}): void {
  if (!existsSync(path.join(dir, CA_CERT))) initCa(dir);
  for (const id of identities) if (!existsSync(identityFiles(dir, id).cert)) issueCertificate(dir, id, opts);
}

/** A private key file, refused when anyone but its owner may read it. */
export function readPrivateFile(file: string): Buffer {
  assertPrivate(file);
  return readFileSync(file);
}

function assertPrivate(file: string): void {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (err) {
    throw new PkiError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if ((mode & 0o077) !== 0) throw new PkiError(`${file}: private key is readable by others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`);
}

function mkdirPrivate(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new PkiError(`cannot create ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function writeNewKey(file: string): void {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  try {
    writeFileSync(file, privateKey.export({ format: "pem", type: "pkcs8" }), { mode: 0o600, flag: "wx" });
  } catch (err) {
    throw new PkiError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function openssl(args: string[], input?: Buffer): Buffer {
  try {
    return execFileSync("openssl", args, { input, stdio: ["pipe", "pipe", "pipe"] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === "ENOENT") throw new PkiError("openssl is not installed (apt-get install openssl)");
    throw new PkiError(`openssl ${args[0]} failed: ${e.stderr?.toString().trim().split("\n")[0] ?? e.message}`);
  }
}
