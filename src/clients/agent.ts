// Typed client of an edge agent's HTTP API (edge-agent/service): what the
// CLI asks (info, workloads, migrations), and the agent-to-agent protocol a
// source speaks to a destination (incoming migrations, images) and a
// destination to its source (the migration's status). Image files themselves
// stream through edge-agent/transfer/sender.ts.
import type {
  AgentInfo,
  ImageIdView,
  ImageLoad,
  IncomingOpen,
  IncomingOpened,
  MigrationInput,
  MigrationView,
  RestoreInput,
  Restored,
  WorkloadInput,
  WorkloadView,
} from "../api-types/agent.js";
import type { LogLines } from "../api-types/logs.js";
import { JsonClient, type JsonClientOptions, type MethodOptions } from "../http/json-client.js";

export const DEFAULT_AGENT_URL = "http://127.0.0.1:7701";

const seg = encodeURIComponent;

/** Peer calls wait longer than a person would: a busy destination still answers. */
const PEER_TIMEOUT_MS = 30_000;
const RESTORE_TIMEOUT_MS = 60_000;
const IMAGE_LOAD_TIMEOUT_MS = 120_000;
const IMAGE_ID_TIMEOUT_MS = 5_000;

export interface AgentClientOptions extends Partial<JsonClientOptions> {
  /** The agent's node name, when known: errors then say "agent edge1". */
  node?: string;
}

export class AgentClient {
  readonly http: JsonClient;

  constructor(baseUrl: string, opts: AgentClientOptions = {}) {
    const { node, ...rest } = opts;
    this.http = new JsonClient(baseUrl, { service: node ? `agent ${node}` : "agent", ...rest });
  }

  info(opts?: MethodOptions): Promise<AgentInfo> {
    return this.http.get("/v1/info", opts);
  }

  createWorkload(workload: WorkloadInput, opts?: MethodOptions): Promise<WorkloadView> {
    return this.http.post("/v1/workloads", workload, opts);
  }

  workloads(opts?: MethodOptions): Promise<{ workloads: WorkloadView[] }> {
    return this.http.get("/v1/workloads", opts);
  }

  async deleteWorkload(id: string, opts?: MethodOptions): Promise<void> {
    await this.http.delete(`/v1/workloads/${seg(id)}`, opts);
  }

  /** Starts a migration off this agent; it runs on in the background (follow it with migration(id)). */
  startMigration(req: MigrationInput, opts?: MethodOptions): Promise<MigrationView> {
    return this.http.post("/v1/migrations", req, opts);
  }

  migrations(opts?: MethodOptions): Promise<{ migrations: MigrationView[] }> {
    return this.http.get("/v1/migrations", opts);
  }

  /** A migration started with commit "manual" and now in phase "awaiting-commit": the source releases its copy. */
  commitMigration(id: string, opts?: MethodOptions): Promise<MigrationView> {
    return this.http.post(`/v1/migrations/${seg(id)}/commit`, undefined, opts);
  }

  /** A migration started with commit "manual": the workload runs on the source again (from its images after a resume). */
  rollbackMigration(id: string, opts?: MethodOptions): Promise<MigrationView> {
    return this.http.post(`/v1/migrations/${seg(id)}/rollback`, undefined, opts);
  }

  /** A migration's live record. A destination polls its source with it until commit. */
  migration(id: string, opts?: MethodOptions): Promise<MigrationView> {
    return this.http.get(`/v1/migrations/${seg(id)}`, opts);
  }

  // ---- agent to agent: the destination side, called by the source ----

  openIncoming(open: IncomingOpen, opts?: MethodOptions): Promise<IncomingOpened> {
    return this.http.post("/v1/incoming", open, { timeoutMs: PEER_TIMEOUT_MS, ...opts });
  }

  /** Lets the destination's restore hook start its work before the source freezes (same body as restore). */
  async prepareIncoming(migrationId: string, prepare: RestoreInput, opts?: MethodOptions): Promise<void> {
    await this.http.post(`/v1/incoming/${seg(migrationId)}/prepare`, prepare, { timeoutMs: PEER_TIMEOUT_MS, ...opts });
  }

  restoreIncoming(migrationId: string, restore: RestoreInput, opts?: MethodOptions): Promise<Restored> {
    return this.http.post(`/v1/incoming/${seg(migrationId)}/restore`, restore, { timeoutMs: RESTORE_TIMEOUT_MS, ...opts });
  }

  /** The source is done: the destination's copy becomes the workload. */
  async commitIncoming(migrationId: string, opts?: MethodOptions): Promise<void> {
    await this.http.post(`/v1/incoming/${seg(migrationId)}/commit`, undefined, { timeoutMs: PEER_TIMEOUT_MS, ...opts });
  }

  /** The migration failed: the destination drops what it received or restored. */
  async abortIncoming(migrationId: string, opts?: MethodOptions): Promise<void> {
    await this.http.post(`/v1/incoming/${seg(migrationId)}/abort`, undefined, { timeoutMs: PEER_TIMEOUT_MS, ...opts });
  }

  /**
   * The image id this agent's engine has for `ref`; undefined when it has
   * none or no engine (404). Other failures throw: the caller decides
   * whether "cannot tell" means "send the image".
   */
  async imageId(ref: string, opts?: MethodOptions): Promise<string | undefined> {
    const answer = await this.http.exchange<ImageIdView>("GET", "/v1/images", { timeoutMs: IMAGE_ID_TIMEOUT_MS, ...opts, query: { ref } });
    if (!answer.ok && answer.status === 404) return undefined;
    const id = this.http.unwrap(answer)?.id;
    return typeof id === "string" ? id : undefined;
  }

  /**
   * `docker load` of image tar `file` of incoming migration `migrationId`;
   * answers the id the engine then has for `ref`, or "no-route" from an
   * agent without this route (404), which loads the image at restore instead.
   */
  async loadImage(load: ImageLoad, opts?: MethodOptions): Promise<ImageIdView | "no-route"> {
    const answer = await this.http.exchange<ImageIdView>("POST", "/v1/images", { timeoutMs: IMAGE_LOAD_TIMEOUT_MS, ...opts, body: load });
    if (!answer.ok && answer.status === 404) return "no-route";
    return this.http.unwrap(answer);
  }

  /** The service's metrics, Prometheus text format. */
  metrics(opts?: MethodOptions): Promise<string> {
    return this.http.get("/metrics", opts);
  }

  /** The service's recent log lines about one migration (its correlation id), oldest first. */
  logs(migration: string, query: { limit?: number } = {}, opts?: MethodOptions): Promise<LogLines> {
    return this.http.get("/v1/logs", { ...opts, query: { migration, limit: query.limit } });
  }
}
