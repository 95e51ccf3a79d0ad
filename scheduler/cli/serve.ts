// `fleximigrate scheduler`: loads models and an optional cluster, builds the
// service and listens until SIGINT/SIGTERM.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { CliError } from "../../src/cli/command.js";
import { parseStoreFlag } from "../../src/etcd/endpoints.js";
import { defineCommand } from "../../src/cli/define.js";
import { LOG_FORMATS, ServiceLog } from "../../src/logs/service-log.js";
import * as flag from "../../src/cli/flags.js";
import { serviceTrust, serviceTrustFlags } from "../../src/cli/trust-flags.js";
import { loadDefaultModels } from "../latency/defaults.js";
import { fitModels } from "../latency/fit.js";
import { parseSamplesCsv } from "../latency/samples.js";
import { createPolicy, POLICY_NAMES } from "../placement/policies.js";
import type { ModelTable, NodeSpec } from "../placement/types.js";
import { buildSchedulerApp, type SchedulerApp, type SchedulerAppOptions } from "../service/app.js";
import { SCHEDULER_ELECTION, SchedulerReplica } from "../service/replica.js";
import { EtcdStateStore } from "../state/etcd-store.js";
import { EtcdMigrationStore } from "../migration/etcd-store.js";
import { connectEtcd, type EtcdConnection } from "../../src/etcd/connect.js";
import type { EtcdEndpoints } from "../../src/etcd/endpoints.js";
import type { ServiceSecurity } from "../../src/http/service-security.js";
import { parseClusterFile, parseModelsFile } from "../service/config-files.js";
import { AddressPlan, DEFAULT_SERVICE_CIDR } from "../service/address-plan.js";
import { DEFAULT_LIMITS } from "../migration/context.js";
import { loadCatalog } from "../service/workload-catalog.js";
import { PcaFileError, readPublicKey } from "../../src/pca/files.js";
import { type TrustedPca, trustedPca } from "../../src/pca/keys.js";
import { certificateAdmission } from "../placement/data-protection.js";
import { readPolicyFile } from "./policies-file.js";
import { policyName } from "./policy-flag.js";

export const command = defineCommand({
  name: "scheduler",
  description: `Starts the delay-aware scheduler service (HTTP API, OpenAPI at /openapi.json,
WebSocket events at /v1/events). Runs until Ctrl-C.`,
  flags: {
    port: flag.number("N", "TCP port (0 picks a free one)", { integer: true, min: 0, max: 65535, default: 8088 }),
    host: flag.string("ADDR", "address to listen on", { default: "127.0.0.1" }),
    policy: flag.parsed("NAME", `PLACEMENT policy (where tasks run): ${POLICY_NAMES.join(", ")}`, policyName, { default: "delay-aware" }),
    policies: flag.string("FILE", "MIGRATION policies (may a move go, and how): YAML or JSON, see docs/policies.md; a bad file stops the start"),
    samples: flag.string("CSV", "fit latency models from these profiling samples"),
    models: flag.string("JSON", `use these latency models ({"detect/small": {"kind","a","b"}})`),
    nodes: flag.string("JSON", "start with the nodes (and models, if present) of this cluster file"),
    "min-residence": flag.number("S", "rule 3 does not move a task placed or moved less than S seconds ago", { min: 0, default: 10 }),
    log: flag.boolean("log every request (debug level), not only a migration's calls"),
    "log-format": flag.choice(LOG_FORMATS, "structured log on stderr: json lines (pino) or pretty", { default: "json" }),
    controller: flag.urls("the SDN controller: overlay paths, redirects of moved services, DNS names (without: logged no-ops);\nseveral, comma-separated: its replicas, the leader is followed"),
    "state-dir": flag.string("DIR", "where the scheduler state and migration journal live (restored at start)", { default: defaultStateDir() }),
    store: flag.parsed(
      "STORE",
      "embedded (files under --state-dir) or etcd://HOST:PORT[,HOST:PORT...]\n(state and migration records in etcd; several schedulers on one etcd elect a leader,\nthe others answer 503 NOT_LEADER naming it: docs/ha.md)",
      parseStoreFlag,
      { default: "embedded" },
    ),
    advertise: flag.url("with --store etcd://: the base URL clients are sent to while this scheduler leads (default: its listen URL)"),
    "service-cidr": flag.string("CIDR", "service addresses of running tasks (first host is the gateway)", { default: DEFAULT_SERVICE_CIDR }),
    "dns-zone": flag.string("ZONE", "tasks are named TASK.svc.ZONE", { default: "fleximigrate.local" }),
    workloads: flag.string("JSON", 'workload catalog {"name": {command, env?, port, probePath?}, "*": ...} (default: the profiled server)'),
    "report-timeout": flag.number("S", "a node with no report for S seconds has its tasks marked unavailable", { min: 1, default: 15 }),
    "device-ttl": flag.number("S", "a device registered by its first task and left with no task for S seconds is forgotten (0: never)", { min: 0, default: 600 }),
    "max-migrations": flag.number("N", "migrations at once in the cluster", { integer: true, min: 1, default: DEFAULT_LIMITS.maxParallel }),
    "max-outbound": flag.number("N", "migrations at once leaving one node", { integer: true, min: 1, default: DEFAULT_LIMITS.maxOutboundPerNode }),
    "progress-timeout": flag.number("S", "a migration with no progress for S seconds fails (rolled back)", { min: 1, default: DEFAULT_LIMITS.progressTimeoutMs / 1000 }),
    "completion-per-gib": flag.number("S", "a migration may take S seconds per GiB moved (at least 60)", { min: 1, default: DEFAULT_LIMITS.completionMsPerGiB / 1000 }),
    "redirect-strategy": flag.choice(["per-service", "all-at-once", "gradual"], "how the controller redirects a moved service", { default: "per-service" }),
    "allow-faults": flag.boolean("accept test faults in POST /v1/migrations (tests only)"),
    "trusted-pca": flag.list(
      "PUB",
      "a Privacy Certificate Authority's public key (pca.pub; repeatable): tasks with a regulation go only to nodes\nwhose attribute certificate it signed, valid now and satisfying the regulation (docs/data-protection.md)",
    ),
    ...serviceTrustFlags,
  },
  epilog: `Without --samples/--models the models of the cluster file are used, else the
embedded defaults fitted from measured samples.

Without --trusted-pca, tasks without a regulation are placed and moved as
always; a task with a regulation is refused (no certificate can verify).`,
  async run(parsed) {
    const v = parsed.values;
    const { port, host } = v;
    const policyName = v.policy;
    if (v.samples && v.models) throw new CliError("give --samples or --models, not both");

    // Checked before anything else starts: a bad policies file never serves.
    const policies = v.policies ? { set: readPolicyFile(v.policies), file: v.policies } : undefined;
    const cluster = v.nodes ? configFile(v.nodes, parseClusterFile) : undefined;
    const { models, source } = loadModels(v.samples, v.models, cluster?.models, v.nodes);
    const nodes: NodeSpec[] = cluster?.nodes ?? [];
    const trusted = v["trusted-pca"].map((file) => trustedKey(file));
    const admission = certificateAdmission(trusted, () => new Date());
    let policy: ReturnType<typeof createPolicy>;
    try {
      policy = createPolicy(policyName, { nodes, models, minResidenceSec: v["min-residence"], admission });
    } catch (err) {
      throw new CliError(`${v.nodes}: ${(err as Error).message}`);
    }
    try {
      new AddressPlan(v["service-cidr"]);
    } catch (err) {
      throw new CliError(`--service-cidr: ${(err as Error).message}`);
    }
    let catalog: ReturnType<typeof loadCatalog> | undefined;
    if (v.workloads) {
      try {
        catalog = loadCatalog(v.workloads);
      } catch (err) {
        throw new CliError((err as Error).message);
      }
    }
    // No TLS and no --insecure: no start at all (docs/security.md).
    const trust = serviceTrust(v, { role: "scheduler", name: "scheduler" });
    const serviceLog = new ServiceLog({ service: "scheduler", format: v["log-format"], level: v.log ? "debug" : "info", out: process.stderr });
    // Everything but the policy and the stores: a replica builds a fresh app (and policy) for each term it leads.
    const appOptions = (): Omit<SchedulerAppOptions, "policy" | "models"> => ({
      log: serviceLog,
      ...(v.controller ? { controllerUrl: v.controller } : {}),
      stateDir: v["state-dir"],
      serviceCidr: v["service-cidr"],
      dnsZone: v["dns-zone"],
      ...(catalog ? { catalog } : {}),
      reportTimeoutMs: v["report-timeout"] * 1000,
      deviceTtlMs: v["device-ttl"] * 1000,
      limits: {
        maxParallel: v["max-migrations"],
        maxOutboundPerNode: v["max-outbound"],
        progressTimeoutMs: v["progress-timeout"] * 1000,
        completionMsPerGiB: v["completion-per-gib"] * 1000,
      },
      redirectStrategy: v["redirect-strategy"],
      ...(policies ? { policies } : {}),
      allowFaults: v["allow-faults"] ?? false,
      onMigrationLog: (line) => process.stdout.write(`migration ${line}\n`),
      ...(trust.security ? { security: trust.security } : {}),
      ...(trust.clientTls ? { clientTls: trust.clientTls } : {}),
    });
    const summary = (base: string) =>
      `  placement policy ${policyName}, migration policies ${policies ? `${policies.file} (${policies.set.policies.length}, default ${policies.set.defaultAction})` : "none (every move allowed)"}, ${Object.keys(models).length} model(s) from ${source}, ${nodes.length} node(s)\n` +
      `  API ${base}/v1  OpenAPI ${base}/openapi.json  events ${trust.scheme === "https" ? "wss" : "ws"}://${base.slice(`${trust.scheme}://`.length)}/v1/events\n` +
      `  state and migrations ${v.store.kind === "etcd" ? v.store.url : v["state-dir"]}, controller ${v.controller ?? "none (no redirects, no DNS)"}, service CIDR ${v["service-cidr"]}\n` +
      `  data protection: ${trusted.length > 0 ? `trusted PCA(s) ${trusted.map((t) => t.id).join(", ")}` : "no trusted PCA (regulated tasks are refused)"}\n`;
    const baseOf = (boundPort: number) => `${trust.scheme}://${host.includes(":") ? `[${host}]` : host}:${boundPort}`;

    if (v.store.kind === "etcd") {
      return runReplica({
        endpoints: v.store.endpoints,
        ...(v.advertise ? { advertise: v.advertise } : {}),
        port,
        host,
        baseOf,
        summary,
        log: serviceLog,
        ...(trust.security ? { security: trust.security } : {}),
        // A term's policy starts empty: the state it places with comes from etcd.
        build: (stores) => {
          const termModels = structuredClone(models);
          return buildSchedulerApp({
            ...appOptions(),
            policy: createPolicy(policyName, { nodes, models: termModels, minResidenceSec: v["min-residence"], admission }),
            models: termModels,
            ...stores,
          });
        },
      });
    }

    let app: Awaited<ReturnType<typeof buildSchedulerApp>>;
    try {
      app = await buildSchedulerApp({ policy, models, ...appOptions() });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new CliError(`cannot start: ${code ? `${code} ` : ""}${(err as Error).message}${code === "EACCES" ? " (give --state-dir a writable directory)" : ""}`);
    }

    try {
      await app.listen({ port, host });
    } catch (err) {
      await app.close();
      const code = (err as NodeJS.ErrnoException).code;
      throw new CliError(`cannot listen on ${host}:${port}: ${code === "EADDRINUSE" ? "address in use" : (err as Error).message}`, 1);
    }
    const addr = app.server.address();
    const base = baseOf(typeof addr === "object" && addr ? addr.port : port);
    // The first line is read by `fleximigrate up` to find the service: keep its shape.
    process.stdout.write(`scheduler listening on ${base}\n`);
    process.stdout.write(summary(base));

    await untilSignal();
    await app.close();
    return 0;
  },
});

function untilSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

/**
 * One scheduler of several on etcd (scheduler/service/replica.ts): it listens
 * at once (a standby answers 503 NOT_LEADER), campaigns with its advertised
 * URL, and builds the scheduler app each time it is elected.
 */
async function runReplica(o: {
  endpoints: EtcdEndpoints;
  advertise?: string;
  port: number;
  host: string;
  baseOf(port: number): string;
  summary(base: string): string;
  log: ServiceLog;
  security?: ServiceSecurity;
  build(stores: Pick<SchedulerAppOptions, "stateStore" | "store" | "leadership">): Promise<SchedulerApp>;
}): Promise<number> {
  let etcd: EtcdConnection;
  try {
    etcd = await connectEtcd(o.endpoints);
  } catch (err) {
    throw new CliError(`cannot start: ${(err as Error).message}`);
  }
  const say = (line: string) => process.stdout.write(`leadership: ${line}\n`);
  const replica = await SchedulerReplica.create({
    client: etcd.client,
    log: o.log,
    ...(o.security ? { security: o.security } : {}),
    onLine: say,
    buildLeader: ({ guard, leadership }) =>
      o.build({ stateStore: new EtcdStateStore(etcd.client, undefined, guard), store: new EtcdMigrationStore(etcd.client, undefined, guard), leadership }),
  });
  let boundPort: number;
  try {
    boundPort = await replica.listen(o.port, o.host);
  } catch (err) {
    await replica.close();
    etcd.close();
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`cannot listen on ${o.host}:${o.port}: ${code === "EADDRINUSE" ? "address in use" : (err as Error).message}`, 1);
  }
  const base = o.baseOf(boundPort);
  const self = o.advertise ?? base;
  // The first line is read by `fleximigrate up` to find the service: keep its shape.
  process.stdout.write(`scheduler listening on ${base}\n`);
  process.stdout.write(o.summary(base));
  process.stdout.write(`  replica: campaigns in etcd election "${SCHEDULER_ELECTION}" as ${self}; a standby answers 503 NOT_LEADER naming the leader\n`);
  await replica.join(self);
  await untilSignal();
  await replica.close();
  etcd.close();
  // etcd3's calls to a cluster that is gone (the resign, the lease) keep timers for up to 30 s after
  // close: the process ends 2 s after its own shutdown at the latest (an unref'd timer, so not sooner).
  setTimeout(() => process.exit(), 2_000).unref();
  return 0;
}

/** A --trusted-pca file: an Ed25519 public key (PEM). */
function trustedKey(file: string): TrustedPca {
  try {
    return trustedPca(readPublicKey(file));
  } catch (err) {
    if (err instanceof PcaFileError) throw new CliError(`--trusted-pca: ${err.message}`);
    throw err;
  }
}

function loadModels(
  samples: string | undefined,
  modelsFile: string | undefined,
  clusterModels: ModelTable | undefined,
  clusterFile: string | undefined,
): { models: ModelTable; source: string } {
  if (samples) {
    const models = configFile(samples, (text, file) => fitModels(parseSamplesCsv(text, file), file));
    return { models, source: samples };
  }
  if (modelsFile) return { models: configFile(modelsFile, parseModelsFile), source: modelsFile };
  if (clusterModels) return { models: clusterModels, source: clusterFile! };
  return { models: loadDefaultModels(), source: "embedded samples" };
}

/** Reads and parses an input file; any failure becomes a CliError naming the file. */
function configFile<T>(file: string, parse: (text: string, file: string) => T): T {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return parse(text, file);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

/** Root keeps state under /var/lib; anyone else under their own state directory. */
function defaultStateDir(): string {
  if (process.getuid?.() === 0) return "/var/lib/fleximigrate/scheduler";
  const base = process.env.XDG_STATE_HOME || path.join(homedir(), ".local", "state");
  return path.join(base, "fleximigrate", "scheduler");
}
