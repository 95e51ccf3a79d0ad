// The scheduler service: a fastify app over one placement policy. Built here,
// listened on by the CLI (scheduler/cli/serve.ts), injected into by tests.
import Fastify, { type FastifyInstance } from "fastify";
import type { RedirectStrategy } from "../../src/api-types/controller.js";
import { ControllerClient } from "../../src/clients/controller.js";
import { installErrorHandling } from "../../src/http/error-handler.js";
import { EventHub } from "../../src/http/event-hub.js";
import { eventsPlugin } from "../../src/http/events-plugin.js";
import { STRICT_AJV } from "../../src/http/validation.js";
import type { MigrationExecutor } from "../executor/executor.js";
import { agentDirectory } from "../migration/agent-adapter.js";
import { DEFAULT_LIMITS, type MigrationLimits } from "../migration/context.js";
import { httpProber } from "../migration/http-prober.js";
import { JournalStore } from "../migration/journal-store.js";
import { MigrationManager } from "../migration/manager.js";
import { controllerNetwork, NO_NETWORK } from "../migration/network-adapter.js";
import { policyCapacity } from "../migration/policy-capacity.js";
import { ALLOW_ALL, type AgentDirectory, type MigrationPolicyHook, type NetworkPort, type ProberPort } from "../migration/ports.js";
import { RoutingExecutor } from "../migration/routing-executor.js";
import { MemoryStore, type MigrationStore } from "../migration/store.js";
import type { ModelTable, PlacementPolicy } from "../placement/types.js";
import { AddressPlan, DEFAULT_SERVICE_CIDR } from "./address-plan.js";
import type { ServiceContext } from "./context.js";
import { devicesPlugin } from "./devices.js";
import { SCHEDULER_EVENTS_SUMMARY, type SchedulerEvents } from "./events.js";
import { DEFAULT_REPORT_TIMEOUT_MS, Liveness } from "./liveness.js";
import { migrationsPlugin } from "./migrations.js";
import { modelsPlugin } from "./models.js";
import { nodesPlugin } from "./nodes.js";
import { registerOpenApi } from "./openapi.js";
import { samplesPlugin } from "./samples.js";
import { TaskRuntime } from "./task-runtime.js";
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
  /** fastify request logging (off by default: the CLI prints its own lines). */
  logger?: boolean;
  now?: () => Date;
  /** The SDN controller: overlay paths, redirects and DNS. Without one those are logged no-ops. */
  controllerUrl?: string;
  /** Or a NetworkPort directly (tests). */
  network?: NetworkPort;
  /** Where the migration journal lives; without one, moves are kept in memory only. */
  stateDir?: string;
  /** Or a store directly (tests). */
  store?: MigrationStore;
  /** Checks a service answers on its IP (default: HTTP GET from this host). */
  prober?: ProberPort;
  /** The agents at nodes' endpoints (default: HTTP clients). */
  agents?: AgentDirectory;
  migrationPolicy?: MigrationPolicyHook;
  limits?: Partial<MigrationLimits>;
  redirectStrategy?: RedirectStrategy;
  serviceCidr?: string;
  dnsZone?: string;
  catalog?: WorkloadCatalog;
  reportTimeoutMs?: number;
  /** Lines of the migration log, for the CLI to print. */
  onMigrationLog?(line: string): void;
  sleep?(ms: number): Promise<void>;
}

export interface SchedulerApp extends FastifyInstance {
  /** The shared state, for the CLI's startup output and for tests. */
  scheduler: ServiceContext;
}

export async function buildSchedulerApp(opts: SchedulerAppOptions): Promise<SchedulerApp> {
  const now = opts.now ?? (() => new Date());
  const events = opts.events ?? new EventHub(now);
  const agents = opts.agents ?? agentDirectory();
  const network = opts.network ?? (opts.controllerUrl ? controllerNetwork(new ControllerClient(opts.controllerUrl)) : NO_NETWORK);
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
  const executor = opts.executor ?? (await managedExecutor(opts, { now, events, agents, network, prober, runtime }));
  let taskSeq = 0;
  const ctx: ServiceContext = {
    policy: opts.policy,
    models: opts.models,
    executor,
    runtime,
    events,
    devices: new Map(),
    reports: new Map(),
    allowFaults: opts.allowFaults ?? false,
    nextTaskId: () => {
      // Skip ids a client chose itself, so that a generated id never collides.
      const taken = new Set(opts.policy.placements().map((p) => p.request.id));
      let id: string;
      do id = `t-${++taskSeq}`;
      while (taken.has(id));
      return id;
    },
    now,
  };
  const liveness = new Liveness(ctx, opts.reportTimeoutMs ?? DEFAULT_REPORT_TIMEOUT_MS);
  ctx.liveness = liveness;
  liveness.start();

  const app = Fastify({
    logger: opts.logger ?? false,
    ajv: STRICT_AJV,
  });
  app.addHook("onClose", async () => {
    liveness.stop();
    await executor.close?.();
  });
  installErrorHandling(app);
  await registerOpenApi(app);
  await app.register(nodesPlugin(ctx));
  await app.register(devicesPlugin(ctx));
  await app.register(tasksPlugin(ctx));
  await app.register(migrationsPlugin(ctx));
  await app.register(modelsPlugin(ctx));
  await app.register(samplesPlugin(ctx));
  await app.register(eventsPlugin({ hub: ctx.events, summary: SCHEDULER_EVENTS_SUMMARY }));
  app.decorate("scheduler", ctx);
  return app as unknown as SchedulerApp;
}

/** The migration manager over the journal (or memory), recovering unfinished moves, behind the routing executor. */
async function managedExecutor(
  opts: SchedulerAppOptions,
  ports: { now: () => Date; events: SchedulerEvents; agents: AgentDirectory; network: NetworkPort; prober: ProberPort; runtime: TaskRuntime },
): Promise<MigrationExecutor> {
  let store = opts.store;
  if (!store && opts.stateDir) {
    const opened = await JournalStore.open(opts.stateDir);
    for (const d of opened.dropped) opts.onMigrationLog?.(`WARN [StateSynchronizer]: journal: dropped ${d}`);
    store = opened.store;
  }
  const manager = await MigrationManager.start({
    agents: ports.agents,
    network: ports.network,
    prober: ports.prober,
    placement: policyCapacity(opts.policy),
    policy: opts.migrationPolicy ?? ALLOW_ALL,
    store: store ?? new MemoryStore(),
    limits: { ...DEFAULT_LIMITS, ...opts.limits },
    redirectStrategy: opts.redirectStrategy ?? "per-service",
    now: ports.now,
    sleep: opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    onTransition: ({ move, from, to }) => {
      if (to === "COMPLETED" && move.destinationWorkloadId) ports.runtime.moved(move.task.id, move.destinationWorkloadId);
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
    ...(opts.onMigrationLog ? { onLog: opts.onMigrationLog } : {}),
  });
  return new RoutingExecutor(manager, ports.now);
}
