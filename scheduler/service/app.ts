// The scheduler service: a fastify app over one placement policy. Built here,
// listened on by the CLI (scheduler/cli/serve.ts), injected into by tests.
import Fastify, { type FastifyInstance } from "fastify";
import type { RedirectStrategy } from "../../src/api-types/controller.js";
import { ControllerClient } from "../../src/clients/controller.js";
import { installErrorHandling } from "../../src/http/error-handler.js";
import { EventHub } from "../../src/http/event-hub.js";
import { eventsPlugin } from "../../src/http/events-plugin.js";
import { STRICT_AJV } from "../../src/http/validation.js";
import { httpsOptions, secure, type ServiceSecurity } from "../../src/http/service-security.js";
import type { ClientTls } from "../../src/http/tls-fetch.js";
import { schedulerAccess } from "./access.js";
import { logsRoutes } from "../../src/logs/logs-routes.js";
import { installRequestLogging } from "../../src/logs/request-logging.js";
import { ServiceLog } from "../../src/logs/service-log.js";
import { installMetrics } from "../../src/metrics/http-metrics.js";
import type { MigrationExecutor } from "../executor/executor.js";
import { agentDirectory } from "../migration/agent-adapter.js";
import { DEFAULT_LIMITS, type MigrationLimits } from "../migration/context.js";
import { httpProber } from "../migration/http-prober.js";
import { connectEtcd } from "../../src/etcd/connect.js";
import type { EtcdEndpoints } from "../../src/etcd/endpoints.js";
import { EtcdMigrationStore } from "../migration/etcd-store.js";
import { JournalStore } from "../migration/journal-store.js";
import { MigrationManager } from "../migration/manager.js";
import { controllerNetwork, NO_NETWORK } from "../migration/network-adapter.js";
import { policyAdmission } from "../migration/policy-admission.js";
import { pathCongestion } from "../migration/path-congestion.js";
import { policyCapacity } from "../migration/policy-capacity.js";
import { policyEnforcer } from "../migration/policy-enforcer.js";
import type { PolicySet } from "../policy/engine.js";
import { ALLOW_ALL, type AgentDirectory, type MigrationPolicyHook, type NetworkPort, type ProberPort } from "../migration/ports.js";
import { measuredDowntime } from "../migration/measured-downtime.js";
import { RoutingExecutor } from "../migration/routing-executor.js";
import { isFinal } from "../migration/states.js";
import { MemoryStore, type MigrationStore } from "../migration/store.js";
import type { ModelTable, PlacementPolicy } from "../placement/types.js";
import { DurableState } from "../state/durable-state.js";
import { EtcdStateStore } from "../state/etcd-store.js";
import { StateJournal } from "../state/journal.js";
import { restoreState } from "../state/restore.js";
import { MemoryStateStore, type StateStore } from "../state/store.js";
import { SyncedMoveStore } from "../state/synced-move-store.js";
import { AddressPlan, DEFAULT_SERVICE_CIDR } from "./address-plan.js";
import type { Device, ServiceContext } from "./context.js";
import type { LeadershipView, NodeReport } from "../../src/api-types/scheduler.js";
import { ALONE, leadershipPlugin } from "./leadership.js";
import { DEFAULT_DEVICE_TTL_MS, DeviceExpiry } from "./device-expiry.js";
import { DeviceTasks } from "./device-tasks.js";
import { devicesPlugin } from "./devices.js";
import { groupsPlugin } from "./groups.js";
import { SCHEDULER_EVENTS_SUMMARY, type SchedulerEvents } from "./events.js";
import { DEFAULT_REPORT_TIMEOUT_MS, Liveness } from "./liveness.js";
import { SchedulerMetrics } from "./metrics.js";
import { logMigrationLine } from "./migration-log.js";
import { migrationsPlugin } from "./migrations.js";
import { modelsPlugin } from "./models.js";
import { nodesPlugin, specOf } from "./nodes.js";
import { registerOpenApi } from "./openapi.js";
import { Reconciler } from "./reconcile.js";
import { reconciliationPlugin } from "./reconciliation.js";
import { samplesPlugin } from "./samples.js";
import { TaskRuntime } from "./task-runtime.js";
import { uiPlugin } from "../ui/plugin.js";
import { tasksPlugin } from "./tasks.js";
import { DEFAULT_CATALOG, type WorkloadCatalog } from "./workload-catalog.js";

export const DEFAULT_DNS_ZONE = "fleximigrate.local";

export interface SchedulerAppOptions {
  /** Accept test faults in POST /v1/migrations (tests only). */
  allowFaults?: boolean;
  policy: PlacementPolicy;
  models: ModelTable;
  /** Where moves go. Default: the migration manager for moves between nodes with agents, recorded as "requested" otherwise. */
  executor?: MigrationExecutor;
  events?: SchedulerEvents;
  /** The structured log (fastify's pino) and its ring for GET /v1/logs; default: the ring only, nothing printed. */
  log?: ServiceLog;
  /** The metrics served at GET /metrics; default: a registry of this app's own. */
  metrics?: SchedulerMetrics;
  now?: () => Date;
  /** The SDN controller: overlay paths, redirects and DNS. Without one those are logged no-ops. */
  controllerUrl?: string;
  /** Or a NetworkPort directly (tests). */
  network?: NetworkPort;
  /**
   * Where the scheduler's state lives (state.jsonl: nodes, devices, tasks with
   * placements and service bindings, the task id sequence) and the migration
   * journal (migrations.jsonl); both are restored at start. Without one, all is
   * kept in memory only.
   */
  stateDir?: string;
  /**
   * Keep the state and the migration records in etcd instead (`--store
   * etcd://...`): the stores' second implementation; nothing else changes.
   */
  etcd?: EtcdEndpoints;
  /** Or a migration store directly (tests). */
  store?: MigrationStore;
  /** Or a state store directly (tests). */
  stateStore?: StateStore;
  /** Checks a service answers on its IP (default: HTTP GET from this host). */
  prober?: ProberPort;
  /** The agents at nodes' endpoints (default: HTTP clients). */
  agents?: AgentDirectory;
  migrationPolicy?: MigrationPolicyHook;
  /** Migration policies (scheduler --policies FILE), decided in PLANNING; `file` names them in the log. */
  policies?: { set: PolicySet; file: string };
  limits?: Partial<MigrationLimits>;
  redirectStrategy?: RedirectStrategy;
  serviceCidr?: string;
  dnsZone?: string;
  catalog?: WorkloadCatalog;
  reportTimeoutMs?: number;
  /** Auto-registered devices with no task for this long are forgotten (0: never). */
  deviceTtlMs?: number;
  /** Lines of the migration log, for the CLI to print. */
  onMigrationLog?(line: string): void;
  sleep?(ms: number): Promise<void>;
  /** HTTPS and the access table (src/http/auth.ts); none: plain HTTP, nothing checked (--insecure). */
  security?: ServiceSecurity;
  /** The scheduler's own certificate for its calls to agents and the controller (mutual TLS). */
  clientTls?: ClientTls;
  /** GET /v1/leadership's answer: a replica's term (scheduler/service/replica.ts); alone, always the leader. */
  leadership?: () => LeadershipView;
}

export interface SchedulerApp extends FastifyInstance {
  /** The shared state, for the CLI's startup output and for tests. */
  scheduler: ServiceContext;
}

export async function buildSchedulerApp(opts: SchedulerAppOptions): Promise<SchedulerApp> {
  const now = opts.now ?? (() => new Date());
  const events = opts.events ?? new EventHub(now);
  const tlsClient = opts.clientTls ? { tls: opts.clientTls } : {};
  const agents = opts.agents ?? agentDirectory(opts.clientTls);
  const network = opts.network ?? (opts.controllerUrl ? controllerNetwork(new ControllerClient(opts.controllerUrl, tlsClient)) : NO_NETWORK);
  const prober = opts.prober ?? httpProber();
  const runtime = new TaskRuntime({
    agents,
    network,
    // A new workload gets longer than a moved one to answer: it starts under its task's CPU share.
    prober: opts.prober ?? httpProber({ attempts: 80, delayMs: 250, timeoutMs: 5_000 }),
    addresses: new AddressPlan(opts.serviceCidr ?? DEFAULT_SERVICE_CIDR),
    catalog: opts.catalog ?? DEFAULT_CATALOG,
    dnsZone: opts.dnsZone ?? DEFAULT_DNS_ZONE,
  });
  const serviceLog = opts.log ?? new ServiceLog({ service: "scheduler" });
  const metrics = opts.metrics ?? new SchedulerMetrics();
  // Built first: the migration manager's recovery below already logs through it.
  const app = Fastify({ ...serviceLog.fastifyOptions(), ajv: STRICT_AJV, ...httpsOptions(opts.security) }) as unknown as FastifyInstance;
  const log = (line: string, migration?: string) => {
    logMigrationLine(app.log, line, migration);
    opts.onMigrationLog?.(line);
  };
  const etcd = opts.etcd && !(opts.stateStore && opts.store) ? await connectEtcd(opts.etcd) : undefined;
  const stateStore = opts.stateStore ?? (etcd ? new EtcdStateStore(etcd.client) : opts.stateDir ? await openStateJournal(opts.stateDir, log) : new MemoryStateStore());
  const durable = new DurableState(stateStore, opts.policy, runtime);
  const devices = new Map<string, Device>();
  let taskSeq = 0;
  // The state goes back before the migration manager recovers its moves: recovery settles each against it.
  const moveStore = opts.executor ? undefined : etcd && !opts.store ? new EtcdMigrationStore(etcd.client) : await openMoveStore(opts, log);
  const moves = moveStore ? await moveStore.loadAll() : [];
  durable.tracksMoves = moveStore !== undefined;
  const snapshot = await stateStore.load();
  const restored = restoreState(
    snapshot,
    {
      policy: opts.policy,
      devices,
      adopt: (id, binding) => {
        if (!runtime.adopt(id, binding)) log(`WARN [StateSynchronizer]: state: task ${id}'s address ${binding.ip} is outside the service CIDR or taken twice`);
      },
      setTaskSeq: (n) => {
        taskSeq = Math.max(taskSeq, n);
      },
      // A refit outlives the process: new decisions go on using it, and GET /v1/models says it is live.
      setModel: (key, m) => {
        // The policy may share this table: its entry first, then ours with the R² and source.
        opts.policy.setModel(key, { kind: m.kind, a: m.a, b: m.b });
        opts.models[key] = { ...m };
      },
    },
    durable,
    new Set(moves.filter((m) => !isFinal(m.state)).map((m) => m.task.id)),
  );
  for (const n of restored.notes) log(`WARN [StateSynchronizer]: state: ${n}`);
  // Nodes the scheduler started with (--nodes) that the store does not know yet are kept from now on.
  const storedNodes = new Set(snapshot.nodes.map((n) => n.name));
  const seeded = opts.policy.nodes().filter((n) => !storedNodes.has(n.name)).map((n) => durable.node(specOf(n)));
  if (restored.fixes.length + seeded.length > 0) await stateStore.apply([...restored.fixes, ...seeded]);
  const reports: ServiceContext["reports"] = new Map();
  const controller = opts.controllerUrl ? new ControllerClient(opts.controllerUrl, tlsClient) : undefined;
  const migrationPolicy =
    opts.migrationPolicy ??
    (opts.policies
      ? policyEnforcer(
          opts.policies.set,
          {
            now,
            report: (node) => reports.get(node)?.report as Partial<NodeReport> | undefined,
            ...(controller ? { congestion: pathCongestion({ topology: () => controller.topology(), ports: (d) => controller.ports(d) }, agents) } : {}),
          },
          `policies ${opts.policies.file}`,
        )
      : ALLOW_ALL);
  const executor =
    opts.executor ??
    (await managedExecutor(opts, new SyncedMoveStore(moveStore!, durable, (task, workloadId) => runtime.moved(task, workloadId)), {
      log,
      metrics,
      now,
      events,
      agents,
      network,
      prober,
      runtime,
      policy: migrationPolicy,
    }));
  // Migration-aware admission: rule 3 spares tasks whose moves, as the agents measured them, would make requests late.
  opts.policy.downtime ??= measuredDowntime(() => executor.records(), () => now().getTime());
  const ctx: ServiceContext = {
    policy: opts.policy,
    models: opts.models,
    executor,
    runtime,
    events,
    devices,
    deviceTasks: new DeviceTasks(),
    reports,
    reconciler: new Reconciler(),
    allowFaults: opts.allowFaults ?? false,
    durable,
    nextTaskId: () => {
      // Skip ids a client chose itself, so that a generated id never collides.
      let id: string;
      do id = `t-${++taskSeq}`;
      while (opts.policy.record(id));
      return id;
    },
    taskSeq: () => taskSeq,
    now,
    metrics,
  };
  ctx.deviceTasks.seed(opts.policy);
  const liveness = new Liveness(ctx, opts.reportTimeoutMs ?? DEFAULT_REPORT_TIMEOUT_MS);
  ctx.liveness = liveness;
  liveness.start();
  const deviceExpiry = new DeviceExpiry(ctx, opts.deviceTtlMs ?? DEFAULT_DEVICE_TTL_MS);
  ctx.deviceExpiry = deviceExpiry;
  deviceExpiry.seed();
  deviceExpiry.start();

  app.addHook("onClose", async () => {
    liveness.stop();
    deviceExpiry.stop();
    await executor.close?.();
    await stateStore.close();
    etcd?.close();
  });
  // Before any route: each route must have its row in the access table.
  secure(app, opts.security, schedulerAccess((id) => opts.policy.record(id)?.request.device));
  installRequestLogging(app);
  installErrorHandling(app);
  await registerOpenApi(app);
  installMetrics(app, metrics.registry);
  await app.register(leadershipPlugin(opts.leadership ?? (() => ALONE)));
  logsRoutes(app, serviceLog);
  await app.register(nodesPlugin(ctx));
  await app.register(devicesPlugin(ctx));
  await app.register(reconciliationPlugin(ctx));
  await app.register(tasksPlugin(ctx));
  await app.register(migrationsPlugin(ctx));
  await app.register(groupsPlugin(ctx, { prober, limits: { ...DEFAULT_LIMITS, ...opts.limits }, onLog: log }));
  await app.register(modelsPlugin(ctx));
  await app.register(samplesPlugin(ctx));
  await app.register(eventsPlugin({ hub: ctx.events, summary: SCHEDULER_EVENTS_SUMMARY }));
  await app.register(uiPlugin({ ...(opts.controllerUrl ? { controllerUrl: opts.controllerUrl } : {}), ...(opts.clientTls ? { tls: opts.clientTls } : {}) }));
  app.decorate("scheduler", ctx);
  return app as unknown as SchedulerApp;
}

async function openStateJournal(dir: string, log: (line: string) => void): Promise<StateStore> {
  const opened = await StateJournal.open(dir);
  for (const d of opened.dropped) log(`WARN [StateSynchronizer]: state: dropped ${d}`);
  return opened.store;
}

/** The migration journal under the state dir (or the store given, or memory). */
async function openMoveStore(opts: SchedulerAppOptions, log: (line: string) => void): Promise<MigrationStore> {
  if (opts.store) return opts.store;
  if (!opts.stateDir) return new MemoryStore();
  const opened = await JournalStore.open(opts.stateDir);
  for (const d of opened.dropped) log(`WARN [StateSynchronizer]: journal: dropped ${d}`);
  return opened.store;
}

/** The migration manager over the journal, recovering unfinished moves, behind the routing executor. */
async function managedExecutor(
  opts: SchedulerAppOptions,
  store: MigrationStore,
  ports: {
    log: (line: string, migration: string) => void;
    metrics: SchedulerMetrics;
    now: () => Date;
    events: SchedulerEvents;
    agents: AgentDirectory;
    network: NetworkPort;
    prober: ProberPort;
    runtime: TaskRuntime;
    policy: MigrationPolicyHook;
  },
): Promise<MigrationExecutor> {
  const manager = await MigrationManager.start({
    agents: ports.agents,
    network: ports.network,
    prober: ports.prober,
    placement: policyCapacity(opts.policy),
    policy: ports.policy,
    ...(opts.policy.admission ? { admission: policyAdmission(opts.policy, opts.policy.admission) } : {}),
    store,
    limits: { ...DEFAULT_LIMITS, ...opts.limits },
    redirectStrategy: opts.redirectStrategy ?? "per-service",
    now: ports.now,
    sleep: opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    notify: (move, policy, message) => ports.events.emit({ type: "policy.notify", migration: move.id, task: move.task.id, from: move.from, to: move.to, policy, message }),
    onTransition: ({ move, from, to }) => {
      if (to === "COMPLETED" && move.destinationWorkloadId) ports.runtime.moved(move.task.id, move.destinationWorkloadId);
      if (isFinal(to)) ports.metrics.finished(move);
      ports.events.emit({
        type: "migration.transition",
        migration: move.id,
        task: move.task.id,
        from: move.from,
        to: move.to,
        previous: from,
        state: to,
        ...(move.error === undefined ? {} : { error: move.error }),
      });
    },
    onLog: ports.log,
  });
  return new RoutingExecutor(manager, ports.now);
}
