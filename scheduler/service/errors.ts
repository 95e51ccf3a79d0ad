// One error body for every route, the same shape fastify gives validation
// errors: {statusCode, error, message}, plus fields a client can act on.
import { STATUS_CODES } from "node:http";
import type { FastifyReply } from "fastify";

export const errorSchema = {
  type: "object",
  required: ["statusCode", "error", "message"],
  properties: {
    statusCode: { type: "integer" },
    error: { type: "string" },
    message: { type: "string" },
  },
  additionalProperties: true,
} as const;

export function sendError(reply: FastifyReply, statusCode: number, message: string, extra: Record<string, unknown> = {}) {
  return reply.code(statusCode).send({ statusCode, error: STATUS_CODES[statusCode] ?? "Error", message, ...extra });
}
