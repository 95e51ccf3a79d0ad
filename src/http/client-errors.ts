// What a JSON client throws: the service could not be reached, or it answered
// with an error. Both name the service and where it was expected, so the
// message alone tells a person (or a log) which call failed.
import { STATUS_CODES } from "node:http";

/** A service's error body: {statusCode, error, code, message} plus fields the route adds; older services send only {message}. */
export interface ErrorBody {
  statusCode?: number;
  error?: string;
  code?: string;
  message?: string;
  [field: string]: unknown;
}

/** No HTTP answer at all: refused, reset, unknown host, or no answer in time. */
export class ServiceUnreachable extends Error {
  override readonly name = "ServiceUnreachable";
  constructor(
    /** "scheduler", "controller", "agent edge1", ... */
    readonly service: string,
    /** Where the service was expected, e.g. http://127.0.0.1:7701. */
    readonly origin: string,
    readonly method: string,
    readonly path: string,
    /** ECONNREFUSED, "no answer within 10000 ms", ... */
    readonly reason: string,
  ) {
    super(`cannot reach ${service} at ${origin}: ${reason}`);
  }
}

/** The service answered, with a status outside 2xx. */
export class ServiceError extends Error {
  override readonly name = "ServiceError";
  /** The service's own message, without the call around it. */
  readonly serviceMessage: string;
  constructor(
    readonly service: string,
    readonly origin: string,
    readonly method: string,
    readonly path: string,
    readonly status: number,
    /** The parsed error body, extra fields included. */
    readonly body: ErrorBody,
  ) {
    const message = typeof body.message === "string" && body.message ? body.message : (STATUS_CODES[status] ?? "error");
    super(`${service} at ${origin}: ${method} ${path} answered ${status}: ${message}`);
    this.serviceMessage = message;
  }

  /** The machine-readable code (NOT_FOUND, CONFLICT, ...) when the service sends one. */
  get code(): string | undefined {
    return typeof this.body.code === "string" ? this.body.code : undefined;
  }
}

/** An error answer's body as an ErrorBody, whatever the service sent (JSON object, text, nothing). */
export function errorBodyOf(data: unknown, text: string): ErrorBody {
  if (data && typeof data === "object" && !Array.isArray(data)) return data as ErrorBody;
  const trimmed = text.trim();
  return trimmed ? { message: trimmed.length > 300 ? `${trimmed.slice(0, 300)}…` : trimmed } : {};
}

/** Why a fetch got no answer, in a word a person can search for (ECONNREFUSED) or a sentence. */
export function unreachableReason(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError") return `no answer within ${timeoutMs} ms`;
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}
