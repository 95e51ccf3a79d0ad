// The trust flags every service command takes, and what they resolve to:
// --tls-dir DIR (the project CA and this service's certificate, from
// `fleximigrate certs`) serves HTTPS with mutual TLS and checks every route;
// --insecure serves plain HTTP with no checks and says so at start. A
// service given neither refuses to start. Client commands find the admin
// certificate in the trust directory by default.
import { existsSync } from "node:fs";
import path from "node:path";
import { type ServiceSecurity, securityOf } from "../http/service-security.js";
import type { ClientTls } from "../http/tls-fetch.js";
import type { Identity } from "../trust/identity.js";
import { CA_CERT, identityFiles, PkiError } from "../trust/pki.js";
import { defaultTlsDir, loadTlsMaterial } from "../trust/tls-dir.js";
import { CliError } from "./command.js";
import * as flag from "./flags.js";

export const serviceTrustFlags = {
  "tls-dir": flag.string("DIR", "trust directory (fleximigrate certs): CA and this service's certificate;\nHTTPS/WSS with mutual TLS, every route checked against its roles"),
  insecure: flag.boolean("plain HTTP, no authentication (logs a warning): only for tests on one machine"),
  "allow-origin": flag.list("ORIGIN", "a browser origin (https://host:port) whose WebSockets are accepted (repeatable)"),
};

export interface ServiceTrust {
  /** undefined: --insecure. */
  security?: ServiceSecurity;
  /** This service's certificate for its own calls to other services. */
  clientTls?: ClientTls;
  scheme: "http" | "https";
}

export const INSECURE_WARNING = "WARNING: --insecure: plain HTTP and no authentication; anyone who reaches this port drives this service";

export function serviceTrust(values: { "tls-dir"?: string | undefined; insecure?: boolean | undefined; "allow-origin"?: string[] }, id: Identity, warn: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): ServiceTrust {
  const dir = values["tls-dir"];
  if (dir && values.insecure) throw new CliError("give --tls-dir or --insecure, not both");
  if (!dir && !values.insecure) {
    throw new CliError(
      `refusing to start without TLS: give --tls-dir DIR (a trust directory with ${CA_CERT} and ${id.role}-${id.name}.crt/.key, see fleximigrate certs --help) or --insecure (plain HTTP, no authentication)`,
    );
  }
  if (!dir) {
    warn(INSECURE_WARNING);
    return { scheme: "http" };
  }
  const origins = values["allow-origin"] ?? [];
  for (const o of origins) if (!/^https?:\/\/[^/]+$/.test(o)) throw new CliError(`--allow-origin: expected scheme://host[:port], got '${o}'`);
  try {
    const material = loadTlsMaterial(dir, id);
    return { security: securityOf(material, origins), clientTls: { ca: material.ca, cert: material.cert, key: material.key }, scheme: "https" };
  } catch (err) {
    if (err instanceof PkiError) throw new CliError(`--tls-dir: ${err.message}`);
    throw err;
  }
}

/**
 * The TLS a client command uses: --tls-dir, else FLEXIMIGRATE_TLS_DIR, else
 * the state folder's tls/, with the admin certificate (admin-admin) in it;
 * none when that directory holds none (plain HTTP services).
 */
export function clientTrust(dir: string | undefined = undefined, id: Identity = { role: "admin", name: "admin" }): ClientTls | undefined {
  const at = dir ?? defaultTlsDir();
  const files = identityFiles(at, id);
  if (!existsSync(files.cert)) {
    if (dir) throw new CliError(`--tls-dir: ${dir} holds no ${path.basename(files.cert)} (fleximigrate certs issue ${dir} --role ${id.role} --name ${id.name})`);
    return undefined;
  }
  try {
    const m = loadTlsMaterial(at, id);
    return { ca: m.ca, cert: m.cert, key: m.key };
  } catch (err) {
    if (err instanceof PkiError) throw new CliError(`TLS directory: ${err.message}`, 1);
    throw err;
  }
}
