// The trust directory `up` and the loop make on first run in their state
// folder: a CA and a certificate for each service, each agent and the admin
// who drives them, so `npm run up` needs no set-up and still runs every API
// over mutual TLS. The services get --tls-dir; the demo's own clients the
// admin certificate.
import path from "node:path";
import type { ClientTls } from "../http/tls-fetch.js";
import type { Identity } from "../trust/identity.js";
import { ensureTrustDir } from "../trust/pki.js";
import { loadTlsMaterial } from "../trust/tls-dir.js";

export interface DemoTrust {
  dir: string;
  /** What every service of the demo is started with. */
  args: string[];
  /** The admin's certificate, for the demo's clients. */
  admin: ClientTls;
}

/**
 * `hosts`: the addresses each identity is reached on beyond localhost, keyed
 * ROLE-NAME (the testbed's agents listen on their hosts' site addresses, its
 * scheduler on the sites' management ports): IP SANs of its certificate.
 */
export function demoTrust(stateDir: string, agentNodes: readonly string[], hosts: Readonly<Record<string, readonly string[]>> = {}): DemoTrust {
  const dir = path.join(stateDir, "tls");
  const ids: Identity[] = [
    { role: "scheduler", name: "scheduler" },
    { role: "controller", name: "controller" },
    { role: "admin", name: "admin" },
    ...agentNodes.map((name) => ({ role: "agent" as const, name })),
  ];
  for (const id of ids) ensureTrustDir(dir, [id], { hosts: hosts[`${id.role}-${id.name}`] ?? [] });
  const m = loadTlsMaterial(dir, { role: "admin", name: "admin" });
  return { dir, args: ["--tls-dir", dir], admin: { ca: m.ca, cert: m.cert, key: m.key } };
}
