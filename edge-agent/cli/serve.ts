// `fleximigrate agent`: starts the node agent service.
import type { AttributeCertificate } from "../../src/api-types/scheduler.js";
import path from "node:path";
import { numberFlag } from "../../src/cli/args.js";
import { CliError } from "../../src/cli/command.js";
import { defineCommand } from "../../src/cli/define.js";
import * as flag from "../../src/cli/flags.js";
import { serviceTrust, serviceTrustFlags } from "../../src/cli/trust-flags.js";
import { PcaFileError, readCertificate, readPrivateKey } from "../../src/pca/files.js";
import { keyMatches } from "../../src/pca/proof.js";
import { LOG_FORMATS, ServiceLog } from "../../src/logs/service-log.js";
import { detectCapabilities } from "../capabilities.js";
import { type NodeIdentity, startReporting } from "../report.js";
import { bridgeDpid } from "../runtime/netns.js";
import { Agent } from "../service/agent.js";
import { type AllowListConfig, defaultAllowList, resolveAllowList } from "../service/allow-list.js";
import { splitCommandEntry } from "../service/workload-policy.js";
import { buildApp } from "../service/app.js";

export const command = defineCommand({
  name: "agent",
  description: "Starts a node agent: runs workloads, migrates them with CRIU, reports to the scheduler.",
  flags: {
    node: flag.parsed("NAME", "node name: letters, digits, - and _", nodeName, { required: true }),
    tier: flag.choice(["edge", "cloud"], "tier of this node", { required: true }),
    listen: flag.parsed("HOST:PORT", "address to serve on", hostPort, { default: "127.0.0.1:7701" }),
    scheduler: flag.urls("scheduler to register with and report to (several: the replicas, the leader is followed)"),
    advertise: flag.url("base URL other agents reach this one on (default http://LISTEN)"),
    "work-dir": flag.string("DIR", "scratch directory for images (default /dev/shm/fleximigrate-NODE)"),
    "state-dir": flag.string("DIR", "where the workloads are journaled and taken back from at start\n(default WORK-DIR/state)"),
    "report-ms": flag.number("N", "report interval in ms", { integer: true, min: 100, default: 3000 }),
    "net-delay-ms": flag.number("N", "network delay of this node, told to the scheduler", { min: 0, default: 0 }),
    cpus: flag.number("N", "cores this node offers the scheduler (default: the host's cores)", { min: 0.001 }),
    compress: flag.boolean("gzip images in transfer"),
    bandwidth: flag.number("BPS", "limit image transfer to BPS bytes/s", { min: 1 }),
    "allow-faults": flag.boolean("accept fault injection in migration requests (tests only)"),
    bridge: flag.parsed("NAME", "Open vSwitch bridge (datapath_type=netdev) for workloads with their own network", bridgeName),
    "log-format": flag.choice(LOG_FORMATS, "structured log on stderr: json lines (pino) or pretty", { default: "json" }),
    "commit-timeout-s": flag.number("N", "a migration awaiting a manual commit rolls back after N s", { min: 1, default: 300 }),
    "attribute-cert": flag.string("FILE", "this node's attribute certificate (fleximigrate pca issue), presented when registering with the scheduler"),
    "allow-command": flag.list(
      "WORDS",
      "a command workloads may run: an executable (by PATH or path), then the words that\nmust follow it (`*` matches within a word); repeat or separate with commas.\nThe shipped image server (this Node running the bundled server) is always allowed",
    ),
    "page-wire": flag.choice(["tls", "relay", "tcp"], "post-copy pages to the destination: tls = CRIU's own --tls with certificates made\nper migration (faults can stall behind its buffered reads); relay = a loopback\nrelay beside the lazy-pages daemon, TLS pinned with the migration's token;\ntcp = the relay without TLS (comparison only)", { default: "relay" }),
    "allow-image": flag.list("NAME", "a Docker image workloads may run (NAME allows its tags; `*` within a word);\nrepeat or separate with commas. None unless given"),
    "node-key": flag.string("FILE", "the node's private key the certificate certifies (mode 0600): signs the registration"),
    ...serviceTrustFlags,
  },
  async run(p) {
    const v = p.values;
    const { host, port } = v.listen;
    const { scheduler, advertise, bandwidth } = v;
    const reportMs = v["report-ms"];
    const netDelayMs = v["net-delay-ms"];
    const identity = v["attribute-cert"] ? nodeIdentity(v["attribute-cert"], v["node-key"], v.node) : undefined;
    if (!identity && v["node-key"]) throw new CliError("--node-key goes with --attribute-cert");
    // No TLS and no --insecure: no start at all (docs/security.md). The certificate names this node.
    const trust = serviceTrust(v, { role: "agent", name: v.node });
    // A bridge OVS does not know would fail every workload with a network: say so now.
    if (v.bridge) await bridgeDpid(v.bridge).catch((err: Error) => Promise.reject(new Error(`--bridge ${v.bridge}: ${err.message}`)));
    const allow = allowList(v["allow-command"], v["allow-image"]);
    // An allowed executable this host lacks is a typo: said now, not at the first workload.
    await resolveAllowList(allow).catch((err: Error) => Promise.reject(new CliError(`--allow-command: ${err.message}`)));
    const caps = await detectCapabilities();
    const workRoot = v["work-dir"] ?? `/dev/shm/fleximigrate-${v.node}`;
    const agent = new Agent(
      {
        node: v.node,
        tier: v.tier,
        selfUrl: "",
        workRoot,
        stateDir: v["state-dir"] ?? path.join(workRoot, "state"),
        allowFaults: v["allow-faults"],
        compress: v.compress,
        bandwidthBps: bandwidth,
        bridge: v.bridge,
        commitTimeoutMs: v["commit-timeout-s"] * 1000,
        ...(trust.clientTls ? { clientTls: trust.clientTls } : {}),
        allow,
        pageWire: v["page-wire"],
      },
      caps,
    );
    // What an earlier process of this agent ran is taken back (or marked ended) before anything is answered.
    for (const note of await agent.openState()) agent.log(note);
    const app = await buildApp(agent, { log: new ServiceLog({ service: `agent ${v.node}`, format: v["log-format"], out: process.stderr }), ...(trust.security ? { security: trust.security } : {}) });
    await app.listen({ host, port });
    const addr = app.server.address();
    const actualPort = typeof addr === "object" && addr ? addr.port : port;
    (agent.opts as { selfUrl: string }).selfUrl = advertise ?? `${trust.scheme}://${host}:${actualPort}`;
    // One machine-readable line so scripts and tests learn the port when --listen used port 0.
    process.stdout.write(`${JSON.stringify({ listening: `${trust.scheme}://${host}:${actualPort}`, node: v.node })}\n`);
    const stopReporting = scheduler ? startReporting(agent, scheduler, { intervalMs: reportMs, endpoint: agent.opts.selfUrl, netDelayMs, cpus: v.cpus, identity, ...(trust.clientTls ? { tls: trust.clientTls } : {}) }) : () => undefined;
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    stopReporting();
    // Leave nothing behind: provisional restores first, then every workload this agent ran.
    for (const id of [...agent.incoming.keys()]) await agent.abortIncoming(id).catch(() => undefined);
    for (const id of [...agent.workloads.keys()]) await agent.deleteWorkload(id, { force: true }).catch(() => undefined);
    await app.close();
    await agent.closeState();
    return 0;
  },
});

/**
 * The certificate file, well formed and issued for this node, and the node key it certifies
 * (whether the certificate is trusted is the scheduler's question).
 */
function nodeIdentity(file: string, keyFile: string | undefined, node: string): NodeIdentity {
  if (!keyFile) throw new CliError("--attribute-cert needs --node-key FILE: the scheduler asks the node to prove it holds the certified key");
  let cert: AttributeCertificate;
  let key: NodeIdentity["key"];
  try {
    cert = readCertificate(file);
    key = readPrivateKey(keyFile);
  } catch (err) {
    if (err instanceof PcaFileError) throw new CliError(`${err.message.includes(keyFile) ? "--node-key" : "--attribute-cert"}: ${err.message}`);
    throw err;
  }
  if (cert.payload.subject !== node) throw new CliError(`--attribute-cert: ${file} was issued for node ${cert.payload.subject}, not ${node}`);
  if (!keyMatches(cert, key)) throw new CliError(`--node-key: ${keyFile} is not the key ${file} certifies`);
  return { cert, key };
}

/** The shipped workloads, and what the flags add. */
function allowList(commands: string[], images: string[]): AllowListConfig {
  const base = defaultAllowList();
  return { commands: [...base.commands, ...commands.map(splitCommandEntry)], images: [...base.images, ...images] };
}

function nodeName(raw: string): string {
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(raw)) throw new Error(`expected letters, digits, - and _ (at most 40), got '${raw}'`);
  return raw;
}

function bridgeName(raw: string): string {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(raw)) throw new Error(`expected an interface name (letters, digits, . _ -, at most 15), got '${raw}'`);
  return raw;
}

function hostPort(raw: string): { host: string; port: number } {
  const m = /^(.+):(\d+)$/.exec(raw);
  if (!m) throw new Error(`expected HOST:PORT, got '${raw}'`);
  return { host: m[1]!, port: numberFlag("listen", m[2], 0, { min: 0, max: 65535, integer: true }) };
}
