// GET /v1/logs?migration=ID[&limit=N], the same in every service: the
// service's recent structured lines about one migration (its correlation id),
// oldest first, from the bounded ring. `fleximigrate logs` merges the answers
// of every service.
import type { FastifyInstance } from "fastify";
import type { LogLines } from "../api-types/logs.js";
import { ApiError } from "../http/api-error.js";
import { errorResponses } from "../http/error-schema.js";
import type { ServiceLog } from "./service-log.js";

export const MAX_LOG_LINES = 2000;
export const DEFAULT_LOG_LINES = 500;

const lineSchema = {
  type: "object",
  required: ["at", "level", "service", "msg"],
  additionalProperties: false,
  properties: {
    at: { type: "string" },
    level: { type: "string" },
    service: { type: "string" },
    msg: { type: "string" },
    correlation: { type: "string" },
    reqId: { type: "string" },
    migration: { type: "string" },
    fields: { type: "object", additionalProperties: { type: ["string", "number", "boolean"] } },
  },
} as const;

export function logsRoutes(app: FastifyInstance, log: ServiceLog): void {
  app.get<{ Querystring: { migration: string; limit?: string } }>(
    "/v1/logs",
    {
      schema: {
        tags: ["logs"],
        summary: "This service's recent log lines about one migration (its correlation id), oldest first",
        querystring: {
          type: "object",
          required: ["migration"],
          additionalProperties: false,
          properties: {
            migration: { type: "string", pattern: "^[A-Za-z0-9._:-]{1,64}$", description: "a migration id (the correlation id its calls carried)" },
            // A query string is text (no type coercion here): digits, checked against the bound below.
            limit: { type: "string", pattern: "^[1-9][0-9]{0,3}$", description: `at most this many lines, the newest (1..${MAX_LOG_LINES}, default ${DEFAULT_LOG_LINES})` },
          },
        },
        response: {
          200: { type: "object", required: ["service", "lines", "truncated"], properties: { service: { type: "string" }, lines: { type: "array", items: lineSchema }, truncated: { type: "boolean" } } },
          ...errorResponses(400),
        },
      },
    },
    async (req): Promise<LogLines> => {
      const limit = req.query.limit === undefined ? DEFAULT_LOG_LINES : Number(req.query.limit);
      if (limit > MAX_LOG_LINES) throw ApiError.badRequest(`querystring/limit must be at most ${MAX_LOG_LINES}, got ${limit}`);
      const found = log.ring.about(req.query.migration, limit);
      return { service: log.service, ...found };
    },
  );
}
