// The JSON schema of every error body, for route `response` schemas and the
// OpenAPI documents. fastify serializes error replies with it too, so the four
// fields are required and extra fields (an ApiError's details) pass through.
import { STATUS_CODES } from "node:http";
import type { ApiError } from "./api-error.js";

export interface ErrorBody {
  statusCode: number;
  /** The HTTP status text, e.g. "Not Found". */
  error: string;
  code: string;
  message: string;
  [detail: string]: unknown;
}

export const errorSchema = {
  type: "object",
  required: ["statusCode", "error", "code", "message"],
  properties: {
    statusCode: { type: "integer" },
    error: { type: "string", description: "HTTP status text" },
    code: { type: "string", pattern: "^[A-Z][A-Z0-9_]*$", description: "stable machine-readable code, e.g. NOT_FOUND" },
    message: { type: "string", description: "for people; may change" },
  },
  additionalProperties: true,
} as const;

/** `response` entries for a route's error statuses: errorResponses(400, 404) -> {400: errorSchema, 404: errorSchema}. */
export function errorResponses(...statuses: number[]): Record<number, typeof errorSchema> {
  return Object.fromEntries(statuses.map((s) => [s, errorSchema]));
}

/** The body for an ApiError; details never overwrite the four fixed fields. */
export function errorBody(err: ApiError): ErrorBody {
  const body: ErrorBody = { statusCode: err.statusCode, error: STATUS_CODES[err.statusCode] ?? "Error", code: err.code, message: err.message };
  for (const [key, value] of Object.entries(err.details)) if (!(key in body)) body[key] = value;
  return body;
}
