// One JSON-over-HTTP client for every service API: a timeout on each try,
// retries with backoff for idempotent methods when the service could not be
// reached or its gateway failed (502/503/504), and errors that name the
// service and URL. The typed clients in src/clients sit on top of it.
import { setTimeout as sleep } from "node:timers/promises";
import { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF } from "./backoff.js";
import { errorBodyOf, ServiceError, ServiceUnreachable, unreachableReason } from "./client-errors.js";
import { currentCorrelation, REQUEST_ID_HEADER } from "./correlation.js";
import { type ClientTls, type Fetch, tlsFetch } from "./tls-fetch.js";
import type { Role } from "../trust/identity.js";

/** The role a service's certificate must carry when it is reached on an address it was not issued for. */
function expectedRole(service: string): Role | undefined {
  const first = service.split(" ")[0];
  return first === "scheduler" || first === "controller" || first === "agent" ? first : undefined;
}

export type { Fetch } from "./tls-fetch.js";

export type Query = Record<string, string | number | boolean | undefined>;

/** A body serialized ahead of the call, for callers that time the call and not JSON.stringify (the benchmarks). */
export class JsonBody<T> {
  /** For the type checker only: what the text encodes. */
  declare readonly encodes?: T;
  private constructor(readonly text: string) {}
  static of<T>(value: T): JsonBody<T> {
    return new JsonBody<T>(JSON.stringify(value));
  }
}

export interface CallOptions {
  query?: Query;
  /** Sent as JSON (a JsonBody as it is); no body (and no content-type) when undefined. */
  body?: unknown;
  /** For each try; the client's default otherwise. */
  timeoutMs?: number;
  /** The caller's own cancel: aborting it stops the call, retries included, and rethrows its reason. */
  signal?: AbortSignal;
  /** false: one try only, for callers that retry on their own schedule (pollers, report loops). */
  retry?: boolean;
  /** Sent as x-request-id; by default the correlation id of the work running (src/http/correlation.ts), if any. */
  requestId?: string;
}

/** What a typed client's method passes through to the call: timeout, cancel, retry. */
export type MethodOptions = Pick<CallOptions, "timeoutMs" | "signal" | "retry" | "requestId">;

/** An HTTP answer as a value, for callers to whom a non-2xx status is an outcome (a 409 refusal, a 404 "none"). */
export type Exchange<T> = { ok: true; status: number; data: T } | { ok: false; status: number; error: ServiceError };

export interface JsonClientOptions {
  /** How errors name the service: "scheduler", "agent edge1", ... */
  service: string;
  /** Per try; 10 s by default. */
  timeoutMs?: number;
  backoff?: BackoffPolicy;
  /** Transport; the global fetch by default (tests record or fail calls through it). */
  fetch?: Fetch;
  /** HTTPS with the project CA: this client's certificate and key (or a bearer token); used when no `fetch` is given. */
  tls?: ClientTls;
  /** Waits between tries; tests pass their own to keep time. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Turns a client error into the caller's own (the CLI's CliError, say) before it is thrown. */
  mapError?: (err: ServiceUnreachable | ServiceError) => Error;
}

/** Methods that may be sent twice with the effect of once. POST is not one of them. */
const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE"]);
/** Answers that say "a proxy or the service is briefly unable", not "your request is wrong". */
const RETRIABLE_STATUS = new Set([502, 503, 504]);

export class JsonClient {
  readonly baseUrl: string;
  readonly origin: string;
  readonly service: string;
  private readonly timeoutMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly fetch: Fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly mapError: (err: ServiceUnreachable | ServiceError) => Error;

  constructor(baseUrl: string, opts: JsonClientOptions) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.origin = new URL(this.baseUrl).origin;
    this.service = opts.service;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.fetch = opts.fetch ?? (opts.tls ? tlsFetch(opts.tls, expectedRole(opts.service)) : (url, init) => fetch(url, init));
    this.sleep = opts.sleep ?? ((ms) => sleep(ms));
    this.random = opts.random ?? Math.random;
    this.mapError = opts.mapError ?? ((err) => err);
  }

  get<T>(path: string, opts?: CallOptions): Promise<T> {
    return this.request<T>("GET", path, opts);
  }

  post<T>(path: string, body?: unknown, opts?: CallOptions): Promise<T> {
    return this.request<T>("POST", path, { ...opts, body });
  }

  put<T>(path: string, body?: unknown, opts?: CallOptions): Promise<T> {
    return this.request<T>("PUT", path, { ...opts, body });
  }

  delete<T>(path: string, opts?: CallOptions): Promise<T> {
    return this.request<T>("DELETE", path, opts);
  }

  /** The 2xx answer's JSON (undefined when empty); a ServiceError for any other status. */
  async request<T>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
    return this.unwrap(await this.exchange<T>(method, path, opts));
  }

  /** The 2xx data of an exchange, or its error thrown (mapped like every other). */
  unwrap<T>(answer: Exchange<T>): T {
    if (answer.ok) return answer.data;
    throw this.mapError(answer.error);
  }

  /** Every HTTP answer as a value; throws only when no answer came (ServiceUnreachable) or the caller aborted. */
  async exchange<T>(method: string, path: string, opts: CallOptions = {}): Promise<Exchange<T>> {
    const attempts = opts.retry !== false && IDEMPOTENT.has(method) ? Math.max(1, this.backoff.attempts) : 1;
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const url = this.urlOf(path, opts.query);
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= attempts;
      let answer: Exchange<T>;
      try {
        answer = await this.once<T>(method, path, url, opts, timeoutMs);
      } catch (err) {
        if (opts.signal?.aborted) throw opts.signal.reason;
        if (last) throw this.mapError(new ServiceUnreachable(this.service, this.origin, method, path, unreachableReason(err, timeoutMs)));
        await this.pause(attempt, opts.signal);
        continue;
      }
      if (answer.ok || last || !RETRIABLE_STATUS.has(answer.status)) return answer;
      await this.pause(attempt, opts.signal);
    }
  }

  private async once<T>(method: string, path: string, url: string, opts: CallOptions, timeoutMs: number): Promise<Exchange<T>> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const headers: Record<string, string> = opts.body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" };
    const requestId = opts.requestId ?? currentCorrelation();
    if (requestId !== undefined) headers[REQUEST_ID_HEADER] = requestId;
    const res = await this.fetch(url, {
      method,
      headers,
      body: opts.body === undefined ? undefined : opts.body instanceof JsonBody ? opts.body.text : JSON.stringify(opts.body),
      signal: opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout,
    });
    // Read under the same signal: a service that sends headers then stalls is as unreachable as a silent one.
    const text = await res.text();
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = text;
    }
    if (res.ok) return { ok: true, status: res.status, data: data as T };
    return { ok: false, status: res.status, error: new ServiceError(this.service, this.origin, method, path, res.status, errorBodyOf(data, text)) };
  }

  private async pause(attempt: number, signal: AbortSignal | undefined): Promise<void> {
    await this.sleep(backoffDelay(this.backoff, attempt, this.random));
    if (signal?.aborted) throw signal.reason;
  }

  private urlOf(path: string, query: Query | undefined): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.append(k, String(v));
    const search = params.toString();
    return `${this.baseUrl}${path}${search ? `?${search}` : ""}`;
  }
}
