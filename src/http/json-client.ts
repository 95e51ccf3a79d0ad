// One JSON-over-HTTP client for every service API: a timeout on each try,
// retries with backoff for idempotent methods when the service could not be
// reached or its gateway failed (502/503/504), and errors that name the
// service and URL. The typed clients in src/clients sit on top of it.
//
// A replicated service (scheduler, controller) is given as several base URLs
// ("URL1,URL2"): a standby's 503 NOT_LEADER names the leader
// (src/http/not-leader.ts) and the client goes there; a member that refuses
// the connection is skipped for the next. Both are safe for any method (the
// call was not carried out); while no leader is known the client waits in
// short steps for one, for at most `leaderWaitMs`. The leader found is kept
// for the next call.
import { setTimeout as sleep } from "node:timers/promises";
import { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF } from "./backoff.js";
import { errorBodyOf, ServiceError, ServiceUnreachable, unreachableReason } from "./client-errors.js";
import { currentCorrelation, REQUEST_ID_HEADER } from "./correlation.js";
import { leaderHint } from "./not-leader.js";
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
  /** How long a call waits for a replicated service to name a leader (default 15 s; calls with retry false do not wait). */
  leaderWaitMs?: number;
}

/** Waits while a replicated service elects a leader: short, so a takeover of a few seconds is seen soon. */
const LEADER_BACKOFF: BackoffPolicy = { attempts: Number.POSITIVE_INFINITY, baseMs: 100, maxMs: 1_000 };
/** Leader hints and other members tried in a row without a wait, beyond the members themselves. */
const EXTRA_HOPS = 4;

/** "URL1,URL2" (or a list): the members' base URLs, without a trailing slash, each once. */
export function baseUrlsOf(raw: string | readonly string[]): string[] {
  const list = (typeof raw === "string" ? raw.split(",") : [...raw]).map((u) => u.trim().replace(/\/+$/, "")).filter((u) => u !== "");
  if (list.length === 0) throw new Error("no base URL given");
  return [...new Set(list)];
}

/** The fetch failed before the request could reach the service: it was not carried out. */
function neverArrived(err: unknown): boolean {
  const code = (err as { cause?: { code?: string } })?.cause?.code;
  return code === "ECONNREFUSED";
}

/** Methods that may be sent twice with the effect of once. POST is not one of them. */
const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE"]);
/** Answers that say "a proxy or the service is briefly unable", not "your request is wrong". */
const RETRIABLE_STATUS = new Set([502, 503, 504]);

export class JsonClient {
  /** Every member given, in order. */
  readonly baseUrls: readonly string[];
  readonly service: string;
  /** Where the next call goes: the leader last found (or the first member). */
  private current: string;
  private readonly leaderWaitMs: number;
  private readonly timeoutMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly fetch: Fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly mapError: (err: ServiceUnreachable | ServiceError) => Error;

  constructor(baseUrl: string | readonly string[], opts: JsonClientOptions) {
    this.baseUrls = baseUrlsOf(baseUrl);
    for (const u of this.baseUrls) new URL(u);
    this.current = this.baseUrls[0]!;
    this.leaderWaitMs = opts.leaderWaitMs ?? 15_000;
    this.service = opts.service;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.fetch = opts.fetch ?? (opts.tls ? tlsFetch(opts.tls, expectedRole(opts.service)) : (url, init) => fetch(url, init));
    this.sleep = opts.sleep ?? ((ms) => sleep(ms));
    this.random = opts.random ?? Math.random;
    this.mapError = opts.mapError ?? ((err) => err);
  }

  /** The base URL the next call goes to. */
  get baseUrl(): string {
    return this.current;
  }

  get origin(): string {
    return new URL(this.current).origin;
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
    const idempotent = IDEMPOTENT.has(method);
    const retrying = opts.retry !== false;
    const attempts = retrying && idempotent ? Math.max(1, this.backoff.attempts) : 1;
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    let failures = 0;
    let waits = 0;
    let waitedMs = 0;
    // Members asked since the last wait: each at most once, so hints cannot send the call round in a loop.
    let tried = new Set<string>();
    const maxHops = this.baseUrls.length + EXTRA_HOPS;
    const waitForLeader = async (): Promise<boolean> => {
      if (!retrying || waitedMs >= this.leaderWaitMs) return false;
      const ms = backoffDelay(LEADER_BACKOFF, ++waits, this.random);
      await this.sleep(ms);
      if (opts.signal?.aborted) throw opts.signal.reason;
      waitedMs += Math.max(ms, 1);
      tried = new Set();
      return true;
    };
    for (;;) {
      const base = this.current;
      tried.add(base);
      const untried = tried.size < maxHops ? this.baseUrls.find((u) => !tried.has(u)) : undefined;
      let answer: Exchange<T>;
      try {
        answer = await this.once<T>(base, method, path, opts, timeoutMs);
      } catch (err) {
        if (opts.signal?.aborted) throw opts.signal.reason;
        // A call that never arrived may go to another member whatever its method; one that may have arrived only when sending it twice is harmless.
        const resend = idempotent || neverArrived(err);
        if (resend && untried) {
          this.current = untried;
          continue;
        }
        failures++;
        if (failures < attempts) {
          await this.pause(failures, opts.signal);
          tried = new Set();
          continue;
        }
        if (resend && this.baseUrls.length > 1 && (await waitForLeader())) continue;
        throw this.mapError(new ServiceUnreachable(this.service, new URL(base).origin, method, path, unreachableReason(err, timeoutMs)));
      }
      if (answer.ok) return answer;
      const hint = leaderHint(answer.status, answer.error.body);
      if (hint) {
        // A standby did not carry the call out: ask the leader it names, another member, or wait for an election.
        if (hint.leader && !tried.has(hint.leader) && tried.size < maxHops) {
          this.current = hint.leader;
          continue;
        }
        if (untried) {
          this.current = untried;
          continue;
        }
        if (await waitForLeader()) continue;
        return answer;
      }
      if (!RETRIABLE_STATUS.has(answer.status)) return answer;
      failures++;
      if (failures >= attempts) return answer;
      await this.pause(failures, opts.signal);
      tried = new Set();
    }
  }

  private async once<T>(base: string, method: string, path: string, opts: CallOptions, timeoutMs: number): Promise<Exchange<T>> {
    const url = this.urlOf(base, path, opts.query);
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
    return { ok: false, status: res.status, error: new ServiceError(this.service, new URL(base).origin, method, path, res.status, errorBodyOf(data, text)) };
  }

  private async pause(attempt: number, signal: AbortSignal | undefined): Promise<void> {
    await this.sleep(backoffDelay(this.backoff, attempt, this.random));
    if (signal?.aborted) throw signal.reason;
  }

  private urlOf(base: string, path: string, query: Query | undefined): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.append(k, String(v));
    const search = params.toString();
    return `${base}${path}${search ? `?${search}` : ""}`;
  }
}
