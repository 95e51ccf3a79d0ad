// The one JSON request helper of the test tree, for a service over the network
// (fetch) or a fastify app in this process (inject): both answer the status and
// the parsed body, so a test reads the same either way.
import type { FastifyInstance } from "fastify";

// biome-ignore lint/suspicious/noExplicitAny: a test reads answers of many shapes
export type Json = any;

export interface JsonResponse<T = Json> {
  status: number;
  /** The parsed JSON body; undefined when the body is empty. */
  body: T;
}

export type Method = "GET" | "POST" | "PUT" | "DELETE";

/** `method url` with `body` as JSON (when given), bounded by `timeoutMs`. */
export async function requestJson<T = Json>(method: Method, url: string, body?: unknown, timeoutMs = 10_000): Promise<JsonResponse<T>> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: res.status, body: parseBody<T>(await res.text()) };
}

/** The same request, injected into a fastify app without a socket. */
export async function injectJson<T = Json>(app: FastifyInstance, method: Method, url: string, body?: unknown): Promise<JsonResponse<T>> {
  const res = await app.inject({ method, url, payload: body as object | undefined });
  return { status: res.statusCode, body: parseBody<T>(res.body) };
}

function parseBody<T>(text: string): T {
  return (text ? JSON.parse(text) : undefined) as T;
}
