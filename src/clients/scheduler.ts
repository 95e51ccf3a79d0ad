// Typed client of the scheduler's HTTP API (scheduler/service): nodes and
// their reports, devices, tasks, placements, moves and models.
import type {
  DeviceRegistration,
  DeviceView,
  GroupMigrationRecord,
  GroupMoveInput,
  GroupView,
  LatencySamples,
  LeadershipView,
  ModelView,
  MoveInput,
  MoveRecord,
  NodeReport,
  NodeRegistration,
  NodeView,
  Placed,
  PlacementView,
  Reconciliation,
  Released,
  ReportReceipt,
  SamplesReceipt,
  TaskLatencyView,
  TaskOutcome,
  TaskRequest,
  TaskSubmission,
} from "../api-types/scheduler.js";
import type { LogLines } from "../api-types/logs.js";
import { JsonClient, type JsonClientOptions, type MethodOptions } from "../http/json-client.js";

const seg = encodeURIComponent;

export class SchedulerClient {
  readonly http: JsonClient;

  /** One scheduler, or its replicas ("URL1,URL2" or a list): calls go to the leader, found by the 503 NOT_LEADER hints. */
  constructor(baseUrl: string | readonly string[], opts: Partial<JsonClientOptions> = {}) {
    this.http = new JsonClient(baseUrl, { service: "scheduler", ...opts });
  }

  /** This scheduler's role, the leader's URL and term (answered by a standby too). */
  leadership(opts?: MethodOptions): Promise<LeadershipView> {
    return this.http.get("/v1/leadership", opts);
  }

  /** Registers a node; the same spec again is a no-op, another spec replaces an idle node (409 for a busy one). */
  registerNode(spec: NodeRegistration, opts?: MethodOptions): Promise<NodeView> {
    return this.http.post("/v1/nodes", spec, opts);
  }

  nodes(opts?: MethodOptions): Promise<NodeView[]> {
    return this.http.get("/v1/nodes", opts);
  }

  node(name: string, opts?: MethodOptions): Promise<NodeView> {
    return this.http.get(`/v1/nodes/${seg(name)}`, opts);
  }

  /** Removes a node without placements (409 while it has some). */
  async removeNode(name: string, opts?: MethodOptions): Promise<void> {
    await this.http.delete(`/v1/nodes/${seg(name)}`, opts);
  }

  /** An agent's periodic load report; 404 until the node is registered. */
  report(name: string, report: NodeReport, opts?: MethodOptions): Promise<ReportReceipt> {
    return this.http.put(`/v1/nodes/${seg(name)}/report`, report, opts);
  }

  /** Workloads the store places on a node that its agent does not report, and the reverse. */
  reconciliation(opts?: MethodOptions): Promise<Reconciliation> {
    return this.http.get("/v1/reconciliation", opts);
  }

  registerDevice(device: DeviceRegistration, opts?: MethodOptions): Promise<DeviceView> {
    return this.http.post("/v1/devices", device, opts);
  }

  devices(opts?: MethodOptions): Promise<DeviceView[]> {
    return this.http.get("/v1/devices", opts);
  }

  device(id: string, opts?: MethodOptions): Promise<DeviceView> {
    return this.http.get(`/v1/devices/${seg(id)}`, opts);
  }

  /** Forgets a device without placed tasks (409 while it has some). */
  async removeDevice(id: string, opts?: MethodOptions): Promise<void> {
    await this.http.delete(`/v1/devices/${seg(id)}`, opts);
  }

  /** Places a task. A refusal (409: no node meets the budget, or a duplicate id) is an outcome, not an error. */
  async submitTask(task: TaskSubmission, opts?: MethodOptions): Promise<TaskOutcome> {
    const answer = await this.http.exchange<Placed>("POST", "/v1/tasks", { ...opts, body: task });
    if (!answer.ok && answer.status === 409) {
      const body = answer.error.body;
      return {
        outcome: "refused",
        refused: {
          reason: typeof body.reason === "string" ? body.reason : answer.error.serviceMessage,
          message: answer.error.serviceMessage,
          ...(body.task && typeof body.task === "object" ? { task: body.task as TaskRequest } : {}),
        },
      };
    }
    return { outcome: "placed", placed: this.http.unwrap(answer) };
  }

  task(id: string, opts?: MethodOptions): Promise<PlacementView> {
    return this.http.get(`/v1/tasks/${seg(id)}`, opts);
  }

  /** Releases a task and its CPU share; null when the scheduler has no such task (already released). */
  async releaseTask(id: string, opts?: MethodOptions): Promise<Released | null> {
    const answer = await this.http.exchange<Released>("DELETE", `/v1/tasks/${seg(id)}`, opts);
    return !answer.ok && answer.status === 404 ? null : this.http.unwrap(answer);
  }

  placements(opts?: MethodOptions): Promise<PlacementView[]> {
    return this.http.get("/v1/placements", opts);
  }

  /** An operator's move of a placed task to another node; answers the move as recorded (follow it with migration(id)). */
  requestMove(move: MoveInput, opts?: MethodOptions): Promise<MoveRecord> {
    return this.http.post("/v1/migrations", move, opts);
  }

  /** Moves so far, oldest first, with their state, timeline and metrics. */
  migrations(opts?: MethodOptions): Promise<MoveRecord[]> {
    return this.http.get("/v1/migrations", opts);
  }

  /** One move; 404 (ServiceError) when unknown. */
  migration(id: string, opts?: MethodOptions): Promise<MoveRecord> {
    return this.http.get(`/v1/migrations/${seg(id)}`, opts);
  }

  /** Service groups (tasks placed with a `group`), with where each member runs. */
  groups(opts?: MethodOptions): Promise<GroupView[]> {
    return this.http.get("/v1/groups", opts);
  }

  /** Moves a whole group to one node as one request (409 when the destination cannot take every member); follow it with groupMigration. */
  migrateGroup(name: string, input: GroupMoveInput, opts?: MethodOptions): Promise<GroupMigrationRecord> {
    return this.http.post(`/v1/groups/${seg(name)}/migrations`, input, opts);
  }

  /** A group's migrations, oldest first. */
  groupMigrations(name: string, opts?: MethodOptions): Promise<GroupMigrationRecord[]> {
    return this.http.get(`/v1/groups/${seg(name)}/migrations`, opts);
  }

  /** One group migration: members (state beside their move's, where each runs), rounds, outcome; 404 when unknown. */
  groupMigration(name: string, id: string, opts?: MethodOptions): Promise<GroupMigrationRecord> {
    return this.http.get(`/v1/groups/${seg(name)}/migrations/${seg(id)}`, opts);
  }

  /** A device's measured latencies for its task (at most 1000 per call); 404 (ServiceError) for an unknown task. */
  reportSamples(task: string, body: LatencySamples, opts?: MethodOptions): Promise<SamplesReceipt> {
    return this.http.post(`/v1/tasks/${seg(task)}/samples`, body, opts);
  }

  /** A task's predicted against measured latency and deadline-miss rate. */
  taskLatency(task: string, opts?: MethodOptions): Promise<TaskLatencyView> {
    return this.http.get(`/v1/tasks/${seg(task)}/latency`, opts);
  }

  /** Latency models keyed workload/inputClass, with their source and measured error. */
  models(opts?: MethodOptions): Promise<Record<string, ModelView>> {
    return this.http.get("/v1/models", opts);
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
