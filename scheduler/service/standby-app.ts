// What a scheduler that does not lead serves (scheduler/service/replica.ts):
// GET /v1/leadership, and 503 NOT_LEADER naming the leader (with Retry-After)
// to every other call, so that clients given several schedulers go to the
// leader (src/http/json-client.ts). It holds no state and calls no agent.
import Fastify, { type FastifyInstance } from "fastify";
import type { LeadershipView } from "../../src/api-types/scheduler.js";
import { toApiError } from "../../src/http/error-handler.js";
import { errorBody } from "../../src/http/error-schema.js";
import { NOT_LEADER_RETRY_AFTER_S, notLeader } from "../../src/http/not-leader.js";
import { httpsOptions, secure, type ServiceSecurity } from "../../src/http/service-security.js";
import { STRICT_AJV } from "../../src/http/validation.js";
import type { ServiceLog } from "../../src/logs/service-log.js";
import { schedulerAccess } from "./access.js";
import { leadershipPlugin } from "./leadership.js";

export async function buildStandbyApp(opts: { view: () => LeadershipView; log: ServiceLog; security?: ServiceSecurity }): Promise<FastifyInstance> {
  const app = Fastify({ ...opts.log.fastifyOptions(), ajv: STRICT_AJV, ...httpsOptions(opts.security) }) as unknown as FastifyInstance;
  // The leadership row of the scheduler's own table: who may read it is the same on a standby.
  const leadershipRow = schedulerAccess(() => undefined)["GET /v1/leadership"]!;
  secure(app, opts.security, { "GET /v1/leadership": leadershipRow });
  app.setErrorHandler((thrown, _req, reply) => {
    const api = toApiError(thrown);
    return reply.code(api.statusCode).send(errorBody(api));
  });
  app.setNotFoundHandler((_req, reply) => {
    const err = notLeader("scheduler", opts.view().leader ?? undefined);
    return reply.code(503).header("retry-after", String(NOT_LEADER_RETRY_AFTER_S)).send(errorBody(err));
  });
  await app.register(leadershipPlugin(opts.view));
  await app.ready();
  return app;
}
