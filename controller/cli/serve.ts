// `fleximigrate controller`: runs the OpenFlow 1.3 controller with its HTTP
// API and DNS server until SIGINT/SIGTERM.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { CliError } from "../../src/cli/command.js";
import { defineCommand } from "../../src/cli/define.js";
import * as flag from "../../src/cli/flags.js";
import { serviceTrust, serviceTrustFlags } from "../../src/cli/trust-flags.js";
import { parseStoreFlag } from "../../src/etcd/endpoints.js";
import { LOG_FORMATS, ServiceLog } from "../../src/logs/service-log.js";
import { createController } from "../app.js";
import { normalizeZone } from "../dns/records.js";
import { DEFAULT_OVSDB_TARGET, parseTarget } from "../ovsdb/client.js";

/** An OVSDB target is kept as text: the controller connects on first use. */
function checkOvsdb(target: string): string {
  parseTarget(target);
  return target;
}

const port = (description: string, fallback: number) => flag.number("N", `${description} (0 = any free port)`, { integer: true, min: 0, max: 65535, default: fallback });

export const command = defineCommand({
  name: "controller",
  description: `Starts the OpenFlow 1.3 SDN controller: switches connect on the OpenFlow
port; the HTTP API (OpenAPI at /openapi.json, events at /v1/events) and the
DNS server of the service zone run beside it.`,
  flags: {
    "openflow-port": port("OpenFlow listener", 6653),
    "openflow-listen": flag.string("ADDR", "address the OpenFlow listener binds (default 0.0.0.0: switches reach it\nfrom anywhere; give one interface's address to narrow that)"),
    "openflow-tls": flag.boolean("OpenFlow over TLS, as OVS speaks it (ovs-vsctl set-ssl; controller target ssl:IP:PORT);\nswitches must present a certificate from --openflow-ca"),
    "openflow-key": flag.string("FILE", "with --openflow-tls: the controller's private key (PEM)"),
    "openflow-cert": flag.string("FILE", "with --openflow-tls: the controller's certificate (PEM)"),
    "openflow-ca": flag.string("FILE", "with --openflow-tls: the CA switches' certificates chain to (PEM)"),
    "http-port": port("HTTP API", 8181),
    "dns-port": port("DNS server, UDP and TCP", 5353),
    host: flag.string("ADDR", "address for HTTP and DNS (default 127.0.0.1)"),
    zone: flag.parsed("ZONE", "DNS zone served (default svc.fleximigrate.local)", normalizeZone),
    "lldp-interval": flag.number("MS", "link discovery period", { integer: true, min: 50, default: 1000 }),
    ovsdb: flag.parsed(
      "ADDR",
      `OVSDB of the VXLAN overlay API, unix:PATH or tcp:HOST:PORT\n(default ${DEFAULT_OVSDB_TARGET}; connected on first use,\nso the controller starts without Open vSwitch)`,
      checkOvsdb,
    ),
    role: flag.choice(["equal", "master", "slave"], "role claimed from every switch (OpenFlow 1.3.5 §6.3.7);\na slave makes no changes; change it later with POST /v1/role", { default: "equal" }),
    "state-dir": flag.string(
      "DIR",
      "where DNS records, redirects, named nodes and overlay tunnels are\njournaled (restored at start; each change is on disk before it is answered)",
      { default: defaultStateDir() },
    ),
    store: flag.parsed("STORE", "embedded (the journal under --state-dir) or etcd://HOST:PORT[,HOST:PORT...]\n(the same records in etcd)", parseStoreFlag, { default: "embedded" }),
    advertise: flag.parsed("URL", "with --store etcd://: the API URL this controller names in the leader election\n(standbys answer writes 503 with the leader's; default: its own listen URL)", parseAdvertise),
    "lease-ttl": flag.number("S", "with --store etcd://: the election lease, seconds (a dead leader is replaced after it runs out)", { integer: true, min: 1, max: 60, default: 2 }),
    quiet: flag.boolean("no log lines on stderr"),
    ...serviceTrustFlags,
    "log-format": flag.choice(LOG_FORMATS, "structured log on stderr: json lines (pino) or pretty", { default: "json" }),
  },
  async run(parsed) {
    const v = parsed.values;
    const trust = serviceTrust(v, { role: "controller", name: "controller" });
    const openflowTls = openflowTlsFiles(v["openflow-tls"], v["openflow-key"], v["openflow-cert"], v["openflow-ca"]);
    const options = {
      ...(trust.security ? { security: trust.security } : {}),
      openflowPort: v["openflow-port"],
      ...(openflowTls && { openflowTls }),
      openflowHost: v["openflow-listen"],
      httpPort: v["http-port"],
      dnsPort: v["dns-port"],
      host: v.host,
      zone: v.zone,
      lldpIntervalMs: v["lldp-interval"],
      ovsdb: v.ovsdb,
      role: v.role,
      serviceLog: new ServiceLog({ service: "controller", format: v["log-format"], ...(v.quiet ? {} : { out: process.stderr }) }),
      stateDir: v["state-dir"],
      ...(v.store.kind === "etcd" ? { etcd: v.store.endpoints, leaseTtlS: v["lease-ttl"], ...(v.advertise && { advertise: v.advertise }) } : {}),
    };
    if (v.store.kind !== "etcd" && v.advertise) throw new CliError("--advertise goes with --store etcd://...");
    if (v.store.kind === "etcd" && v.role !== "equal") throw new CliError(`--role ${v.role}: with --store etcd:// the leader election decides the role`);
    let controller: Awaited<ReturnType<typeof createController>>;
    try {
      controller = await createController(options);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new CliError(`cannot start the controller: ${(err as Error).message}${code === "EACCES" ? " (give --state-dir a writable directory)" : ""}`, 1);
    }
    // One line a script can parse to learn the ports (useful with port 0).
    process.stdout.write(`${JSON.stringify({ openflowPort: controller.openflowPort, httpPort: controller.httpPort, dnsPort: controller.dnsPort, scheme: trust.scheme })}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await controller.close();
    return 0;
  },
});

/** An http(s) base URL, without a trailing slash. */
function parseAdvertise(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`'${raw}' is not a URL (http://HOST:PORT)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`'${raw}' must be an http:// or https:// URL`);
  return raw.replace(/\/+$/, "");
}

/** /var/lib/fleximigrate/controller as root, else under $XDG_STATE_HOME (~/.local/state). */
function defaultStateDir(): string {
  if (process.getuid?.() === 0) return "/var/lib/fleximigrate/controller";
  const base = process.env.XDG_STATE_HOME || path.join(homedir(), ".local", "state");
  return path.join(base, "fleximigrate", "controller");
}

/** The three PEM files --openflow-tls needs, read now: a missing or unreadable one is a usage error. */
function openflowTlsFiles(on: boolean, key?: string, cert?: string, ca?: string): { key: string; cert: string; ca: string } | undefined {
  const given = { "openflow-key": key, "openflow-cert": cert, "openflow-ca": ca };
  if (!on) {
    const stray = Object.entries(given).find(([, f]) => f !== undefined);
    if (stray) throw new CliError(`--${stray[0]} goes with --openflow-tls`);
    return undefined;
  }
  const read = (name: string, file: string | undefined): string => {
    if (!file) throw new CliError(`--openflow-tls needs --${name} FILE`);
    try {
      return readFileSync(file, "utf8");
    } catch (err) {
      throw new CliError(`--${name}: ${(err as Error).message}`);
    }
  };
  return { key: read("openflow-key", key), cert: read("openflow-cert", cert), ca: read("openflow-ca", ca) };
}
