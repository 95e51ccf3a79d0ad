// The error handling every service installs on its root fastify instance:
// whatever goes wrong in a route (an ApiError, a schema violation, a body
// that does not parse, an unknown route, a bug) leaves as one ErrorBody.
import type { FastifyError, FastifyInstance, FastifyRequest } from "fastify";
import { ApiError, codeForStatus } from "./api-error.js";
import { errorBody } from "./error-schema.js";

export interface ErrorHandlingOptions {
  /** A service's own error classes, mapped to ApiErrors; undefined leaves the error to the rules below. */
  translate?: (err: Error) => ApiError | undefined;
  /** Where faults of ours (500s) are reported; the request's logger by default. */
  logInternal?: (err: Error, req: FastifyRequest) => void;
}

/** The ApiError an arbitrary thrown value stands for. Pure: the rules, without fastify. */
export function toApiError(thrown: unknown, translate?: ErrorHandlingOptions["translate"]): ApiError {
  if (thrown instanceof ApiError) return thrown;
  const err: Error & Partial<Pick<FastifyError, "statusCode" | "validation">> = thrown instanceof Error ? thrown : new Error(String(thrown));
  const translated = translate?.(err);
  if (translated) return translated;
  // fastify's schema check names the field: "body/delayBudgetMs must be > 0".
  if (err.validation) return new ApiError(400, "VALIDATION_FAILED", validationMessage(err.message, err.validation));
  // fastify's own errors (a body that does not parse, too large, wrong type) and
  // libraries' HTTP errors carry their status; anything else is a fault of ours.
  const status = typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode <= 599 ? err.statusCode : 500;
  return new ApiError(status, codeForStatus(status), err.message);
}

/**
 * ajv's text, with what it leaves out: the name of an unknown field ("body/to
 * must NOT have additional properties (unknown properties: nod)") and what the
 * field is meant to hold ("body/ip must be string (IPv4 address, dotted quad)").
 */
function validationMessage(message: string, errors: FastifyError["validation"]): string {
  const first = errors?.[0] as { keyword?: string; params?: { additionalProperty?: unknown }; parentSchema?: { description?: unknown } } | undefined;
  const unknown = first?.keyword === "additionalProperties" ? first.params?.additionalProperty : undefined;
  if (typeof unknown === "string") return `${message} (unknown properties: ${unknown})`;
  const meant = first?.parentSchema?.description;
  return typeof meant === "string" ? `${message} (${meant})` : message;
}

export function installErrorHandling(app: FastifyInstance, opts: ErrorHandlingOptions = {}): void {
  const logInternal = opts.logInternal ?? ((err, req) => req.log.error({ err }, "request failed"));
  app.setErrorHandler((thrown, req, reply) => {
    const api = toApiError(thrown, opts.translate);
    if (api.statusCode >= 500 && api !== thrown) logInternal(thrown instanceof Error ? thrown : api, req);
    return reply.code(api.statusCode).send(errorBody(api));
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send(errorBody(ApiError.notFound(`Route ${req.method}:${req.url} not found`)));
  });
}
