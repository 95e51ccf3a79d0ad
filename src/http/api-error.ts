// The one error every service's HTTP layer answers with. `code` is the stable,
// machine-readable part (clients branch on it); `message` is for people and
// may change. `details` are extra fields a client can act on (a refusal's
// `reason`, say); they go into the body beside the four fixed fields.

/** Every code a FlexiMigrate service answers with. Add one here before using it. */
export type ErrorCode =
  | "BAD_REQUEST" // the request makes no sense here (unknown id in the body, wrong state, bad name)
  | "VALIDATION_FAILED" // the body, params or query fail the route's JSON schema
  | "UNAUTHENTICATED" // no credentials, or bad ones (src/http/auth.ts)
  | "FORBIDDEN" // the caller's role may not call this route, or not for that name
  | "NOT_FOUND" // no such route or resource
  | "CONFLICT" // clashes with what exists (duplicate id, resource in use)
  | "TASK_REFUSED" // scheduler: no node meets the task's delay budget; `reason` says why
  | "WORKLOAD_FAILED" // scheduler: the chosen node's agent could not start the task's workload; `reason` says why
  | "CHECKSUM_MISMATCH" // agent: an arriving file's sha256 differs from the sender's
  | "MIGRATION_TOKEN_REFUSED" // agent: a migration's call without (401) or with a wrong (403) one-time token
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "UPGRADE_REQUIRED" // a WebSocket route asked without the upgrade
  | "SWITCH_FAILED" // controller: an OpenFlow switch refused or failed a change
  | "OVSDB_FAILED" // controller: Open vSwitch's database refused a change
  | "UNAVAILABLE" // a backend the route needs is not reachable
  | "NOT_LEADER" // a standby of a replicated service: `leader` names the one to call (null: none known yet)
  | "INTERNAL"; // a fault of ours; the message says what, the log has the stack

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }

  static badRequest(message: string, details?: Record<string, unknown>): ApiError {
    return new ApiError(400, "BAD_REQUEST", message, details);
  }

  static notFound(message: string, details?: Record<string, unknown>): ApiError {
    return new ApiError(404, "NOT_FOUND", message, details);
  }

  static conflict(message: string, details?: Record<string, unknown>): ApiError {
    return new ApiError(409, "CONFLICT", message, details);
  }
}

const CODE_BY_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: "BAD_REQUEST",
  401: "UNAUTHENTICATED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  426: "UPGRADE_REQUIRED",
  503: "UNAVAILABLE",
};

/** The code for an error that carries only a status (fastify's own, or a library's). */
export function codeForStatus(statusCode: number): ErrorCode {
  return CODE_BY_STATUS[statusCode] ?? (statusCode < 500 ? "BAD_REQUEST" : "INTERNAL");
}
