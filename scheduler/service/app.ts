// The scheduler service: a fastify app over one placement policy. Built here,
// listened on by the CLI (scheduler/cli/serve.ts), injected into by tests.
import Fastify, { type FastifyInstance } from "fastify";
import { installErrorHandling } from "../../src/http/error-handler.js";
import { EventHub } from "../../src/http/event-hub.js";
import { eventsPlugin } from "../../src/http/events-plugin.js";
import { STRICT_AJV } from "../../src/http/validation.js";
import type { MigrationExecutor } from "../executor/executor.js";
import { RecordingExecutor } from "../executor/recording.js";
import type { ModelTable, PlacementPolicy } from "../placement/types.js";
import type { ServiceContext } from "./context.js";
import { devicesPlugin } from "./devices.js";
import { SCHEDULER_EVENTS_SUMMARY, type SchedulerEvents } from "./events.js";
import { modelsPlugin } from "./models.js";
import { nodesPlugin } from "./nodes.js";
import { registerOpenApi } from "./openapi.js";
import { tasksPlugin } from "./tasks.js";

export interface SchedulerAppOptions {
  policy: PlacementPolicy;
  models: ModelTable;
  /** Where moves go; records them as "requested" by default. */
  executor?: MigrationExecutor;
  events?: SchedulerEvents;
  /** fastify request logging (off by default: the CLI prints its own lines). */
  logger?: boolean;
  now?: () => Date;
}

export interface SchedulerApp extends FastifyInstance {
  /** The shared state, for the CLI's startup output and for tests. */
  scheduler: ServiceContext;
}

export async function buildSchedulerApp(opts: SchedulerAppOptions): Promise<SchedulerApp> {
  const now = opts.now ?? (() => new Date());
  let taskSeq = 0;
  const ctx: ServiceContext = {
    policy: opts.policy,
    models: opts.models,
    executor: opts.executor ?? new RecordingExecutor(now),
    events: opts.events ?? new EventHub(now),
    devices: new Map(),
    reports: new Map(),
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

  const app = Fastify({
    logger: opts.logger ?? false,
    ajv: STRICT_AJV,
  });
  installErrorHandling(app);
  await registerOpenApi(app);
  await app.register(nodesPlugin(ctx));
  await app.register(devicesPlugin(ctx));
  await app.register(tasksPlugin(ctx));
  await app.register(modelsPlugin(ctx));
  await app.register(eventsPlugin({ hub: ctx.events, summary: SCHEDULER_EVENTS_SUMMARY }));
  app.decorate("scheduler", ctx);
  return app as unknown as SchedulerApp;
}
