// The agent's HTTP service: fastify with one plugin per feature, OpenAPI at
// /openapi.json, progress events over WebSocket at /v1/events.
import swagger from "@fastify/swagger";
import Fastify, { type FastifyInstance } from "fastify";
import { ApiError } from "../../src/http/api-error.js";
import { installErrorHandling } from "../../src/http/error-handler.js";
import { eventsPlugin } from "../../src/http/events-plugin.js";
import { STRICT_AJV } from "../../src/http/validation.js";
import { httpsOptions, secure, type ServiceSecurity } from "../../src/http/service-security.js";
import { AGENT_ACCESS } from "./access.js";
import { logsRoutes } from "../../src/logs/logs-routes.js";
import { installRequestLogging } from "../../src/logs/request-logging.js";
import { ServiceLog } from "../../src/logs/service-log.js";
import { installMetrics } from "../../src/metrics/http-metrics.js";
import { StartFailedError } from "../runtime/start-failed.js";
import { ChecksumError } from "../transfer/receiver.js";
import type { Agent } from "./agent.js";
import { imagesPlugin } from "./images.js";
import { incomingPlugin } from "./incoming.js";
import { infoPlugin } from "./info.js";
import { migrationsPlugin } from "./migrations.js";
import { workloadsPlugin } from "./workloads.js";

const AGENT_EVENTS_SUMMARY = "{type: migration, migrationId, phase, bytes, totalBytes, rateBps, message, at, ...} or {type: workload, action, workload, at}";

export interface AgentAppOptions {
  /** The structured log and its ring for GET /v1/logs; default: the ring only, nothing printed. */
  log?: ServiceLog;
  /** HTTPS and the access table (src/http/auth.ts); none: plain HTTP, nothing checked (--insecure). */
  security?: ServiceSecurity;
}

export async function buildApp(agent: Agent, opts: AgentAppOptions = {}): Promise<FastifyInstance> {
  const log = opts.log ?? new ServiceLog({ service: `agent ${agent.opts.node}` });
  const app = Fastify({ ...log.fastifyOptions(), bodyLimit: 1 << 20, forceCloseConnections: true, ajv: STRICT_AJV, ...httpsOptions(opts.security) }) as unknown as FastifyInstance;
  // Before any route: each route must have its row in the access table.
  secure(app, opts.security, AGENT_ACCESS);
  // The agent's own lines (a migration's steps, rollbacks) join the structured log, tagged with the running migration's id.
  agent.logSink = (message) => app.log.info(message);
  installRequestLogging(app);
  await app.register(swagger, { openapi: { info: { title: "FlexiMigrate edge agent", version: "0.1.0" } } });
  installErrorHandling(app, {
    translate: (err) => {
      if (err instanceof ChecksumError) return new ApiError(400, "CHECKSUM_MISMATCH", err.message);
      // Undone either way; a port taken between the check and the listen is the client's conflict.
      if (err instanceof StartFailedError) {
        return err.busyPort === undefined ? new ApiError(500, "INTERNAL", err.message, { undone: true }) : ApiError.conflict(err.message, { port: err.busyPort, undone: true });
      }
      return undefined;
    },
    logInternal: (err, req) => agent.log(`${req.method} ${req.url}: ${err.stack ?? err.message}`),
  });
  installMetrics(app, agent.metrics.registry);
  logsRoutes(app, log);
  await app.register(infoPlugin(agent));
  await app.register(workloadsPlugin(agent));
  await app.register(migrationsPlugin(agent));
  await app.register(incomingPlugin(agent));
  await app.register(imagesPlugin(agent));
  await app.register(eventsPlugin({ hub: agent.events, summary: AGENT_EVENTS_SUMMARY }));
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  return app;
}
