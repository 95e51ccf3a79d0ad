// `fleximigrate status`: the replicated deployment at a glance. etcd's
// members (each asked on its own: raft leader, term, database size, or why it
// cannot be reached) and whether they have a quorum; for the scheduler and
// the controller, who leads (etcd elections "scheduler" and "controller") and
// every replica campaigning, each asked for its own view (GET /v1/leadership).
import type { LeadershipView } from "../api-types/scheduler.js";
import { type EtcdStatus, etcdStatus } from "../etcd/cluster-status.js";
import { parseEtcdUrl } from "../etcd/endpoints.js";
import { ServiceError } from "../http/client-errors.js";
import { JsonClient } from "../http/json-client.js";
import { CliError } from "./command.js";
import { defineCommand } from "./define.js";
import * as flag from "./flags.js";
import { formatTable, printJson } from "./output.js";
import { cliTls } from "./service-clients.js";

export const ELECTIONS = ["scheduler", "controller"] as const;

export interface ReplicaHealth {
  url: string;
  /** What the replica says of itself; undefined when it did not answer its leadership route. */
  view?: Partial<LeadershipView>;
  /** "ok", or why not (unreachable, an HTTP error). */
  health: string;
}

export interface StatusReport {
  store: string;
  etcd: EtcdStatus;
  services: Array<{ name: string; leader: string | null; term: string | null; error?: string; replicas: ReplicaHealth[] }>;
}

/** One replica's own view: GET /v1/leadership, else any answer of GET /openapi.json (a service without the route). */
async function replicaHealth(url: string, service: string, timeoutMs: number): Promise<ReplicaHealth> {
  const client = new JsonClient(url, { service, timeoutMs, ...cliTls() });
  try {
    const view = await client.get<LeadershipView>("/v1/leadership", { retry: false });
    return { url, view, health: "ok" };
  } catch (err) {
    if (err instanceof ServiceError && err.status === 404) {
      const up = await client.get("/openapi.json", { retry: false }).then(
        () => "ok",
        (e: Error) => e.message,
      );
      return { url, health: up };
    }
    return { url, health: err instanceof ServiceError ? `answered ${err.status}: ${err.serviceMessage}` : (err as Error).message.replace(/^cannot reach \S+ at /, "unreachable: ") };
  }
}

export async function gatherStatus(store: string, timeoutMs: number): Promise<StatusReport> {
  const endpoints = parseEtcdUrl(store);
  const etcd = await etcdStatus(endpoints, [...ELECTIONS], { timeoutMs });
  const services = await Promise.all(
    etcd.elections.map(async (e) => ({
      name: e.name,
      leader: e.candidates?.[0] ?? null,
      term: e.term ?? null,
      ...(e.error ? { error: e.error } : {}),
      replicas: await Promise.all((e.candidates ?? []).map((url) => replicaHealth(url, e.name, timeoutMs))),
    })),
  );
  return { store, etcd, services };
}

const size = (bytes: number | undefined) => (bytes === undefined ? undefined : bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(0)} KiB`);

export function renderStatus(r: StatusReport): string {
  const q = r.etcd.quorum;
  const out = [
    `etcd ${r.store}: ${q.reachable} of ${q.of} members reachable, ${q.ok ? "quorum: writes go on" : "NO QUORUM: writes stop until members return"}\n`,
    formatTable(
      ["MEMBER", "CLIENT URL", "STATE", "RAFT LEADER", "RAFT TERM", "DB SIZE", "VERSION"],
      r.etcd.members.map((m) => [
        m.name,
        m.clientUrl || undefined,
        m.reachable ? (m.errors?.length ? `reachable (${m.errors.join("; ")})` : "reachable") : `unreachable: ${m.error}`,
        m.reachable ? (m.isLeader ? "yes" : "no") : undefined,
        m.raftTerm,
        size(m.dbSizeBytes),
        m.version,
      ]),
    ),
  ];
  for (const s of r.services) {
    out.push("\n");
    if (s.error) {
      out.push(`${s.name}: leader unknown: ${s.error}\n`);
      continue;
    }
    if (s.replicas.length === 0) {
      out.push(`${s.name}: no replica campaigns in etcd (none runs with --store ${r.store})\n`);
      continue;
    }
    out.push(`${s.name}: leader ${s.leader ?? "none"}${s.term ? ` (term ${s.term})` : ""}\n`);
    out.push(
      formatTable(
        ["REPLICA", "ROLE", "TERM", "SEES LEADER", "HEALTH"],
        s.replicas.map((x) => [x.url, x.view?.role, x.view?.term ?? undefined, x.view ? (x.view.leader ?? "none") : undefined, x.health]),
      ),
    );
  }
  return out.join("");
}

export const command = defineCommand({
  name: "status",
  description: `Shows a replicated deployment: etcd's members (each asked on its own: raft
leader, term, database size, or why it cannot be reached) and whether writes
have a quorum; the scheduler's and the controller's leader (etcd elections
"scheduler" and "controller") with every replica campaigning and its own
health (GET /v1/leadership). See docs/ha.md.`,
  flags: {
    store: flag.string("STORE", "the etcd the services run on: etcd://HOST:PORT[,HOST:PORT...] (as their --store)"),
    timeout: flag.number("S", "wait at most S seconds for each member and replica", { min: 0.1, default: 2 }),
    json: flag.boolean("machine-readable output"),
  },
  epilog: `Exit status: 0 when etcd has a quorum and every service that campaigns has
a leader; 1 otherwise (the report says what is missing).`,
  async run(p) {
    const v = p.values;
    if (!v.store) throw new CliError("give --store etcd://HOST:PORT[,HOST:PORT...]: the etcd the scheduler and controller replicas run on (a scheduler alone on its embedded store has no replicas: GET /v1/leadership)");
    try {
      parseEtcdUrl(v.store);
    } catch (err) {
      throw new CliError(`--store: ${(err as Error).message}`);
    }
    const report = await gatherStatus(v.store, v.timeout * 1000);
    if (v.json) printJson(report);
    else process.stdout.write(renderStatus(report));
    const healthy = report.etcd.quorum.ok && report.services.every((s) => !s.error && (s.replicas.length === 0 || s.leader !== null));
    return healthy ? 0 : 1;
  },
});
