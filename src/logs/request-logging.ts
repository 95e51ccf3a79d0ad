// Per request: a caller's valid x-request-id becomes the correlation id of
// the handler and of everything it starts (an agent's migration run, its
// calls to the other agent: they forward it), the id is echoed in the reply,
// and one line is logged when the answer went out. Calls that carry a
// correlation id (a migration's) log at info; the rest (report loops, polls,
// the CLI's reads) at debug, so the log is about events, not traffic.
import type { FastifyInstance, RouteHandlerMethod } from "fastify";
import { isRequestId, REQUEST_ID_HEADER, withCorrelation } from "../http/correlation.js";

/** Call on the root instance before any route is registered (the onRoute hook only sees routes added after it). */
export function installRequestLogging(app: FastifyInstance): void {
  app.addHook("onRoute", (route) => {
    const handler = route.handler as RouteHandlerMethod;
    route.handler = function correlated(req, reply) {
      return isRequestId(req.headers[REQUEST_ID_HEADER]) ? withCorrelation(req.id, () => handler.call(this, req, reply)) : handler.call(this, req, reply);
    };
  });
  app.addHook("onRequest", async (req, reply) => {
    reply.header(REQUEST_ID_HEADER, req.id);
  });
  app.addHook("onResponse", async (req, reply) => {
    const correlated = isRequestId(req.headers[REQUEST_ID_HEADER]);
    const fields = { method: req.method, route: req.routeOptions.url ?? "unmatched", statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 };
    const msg = `${req.method} ${req.url} ${reply.statusCode}`;
    if (correlated) req.log.info(fields, msg);
    else req.log.debug(fields, msg);
  });
}
