// The one JSON client: a timeout on each try, retries (bounded, with backoff)
// only for idempotent methods and only when no answer came or a gateway
// failed, errors that name the service and URL, and non-2xx as a value.
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ServiceError, ServiceUnreachable } from "../../../../src/http/client-errors.js";
import { type Fetch, JsonClient, type JsonClientOptions } from "../../../../src/http/json-client.js";
import { closedPort } from "../../../helpers/ports.js";

const BASE = "http://127.0.0.1:7701";

/** A transport that answers from `script` in turn (a Response, or an Error to throw) and counts calls. */
function scripted(script: Array<Response | Error>) {
  const seen: Array<{ url: string; init: RequestInit }> = [];
  const fetch: Fetch = async (url, init) => {
    seen.push({ url, init });
    const next = script[Math.min(seen.length - 1, script.length - 1)]!;
    if (next instanceof Error) throw next;
    return next.clone();
  };
  return { fetch, seen };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const refused = () => new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });

function client(fetch: Fetch, extra: Partial<JsonClientOptions> = {}) {
  const waits: number[] = [];
  const c = new JsonClient(`${BASE}/`, {
    service: "agent edge1",
    fetch,
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 0.5,
    ...extra,
  });
  return { c, waits };
}

/** The error `p` rejects with. */
const failure = (p: Promise<unknown>) => p.then(() => expect.fail("resolved"), (e: unknown) => e as ServiceError);

const servers: net.Server[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
});

describe("JsonClient", () => {
  it("sends JSON with a content-type only when there is a body, and the query encoded", async () => {
    const { fetch, seen } = scripted([json(200, { ok: true })]);
    const { c } = client(fetch);
    expect(await c.post("/v1/images", { ref: "a b" })).toEqual({ ok: true });
    expect(await c.get("/v1/images", { query: { ref: "busybox:latest", skip: undefined } })).toEqual({ ok: true });
    expect(seen[0]!.url).toBe(`${BASE}/v1/images`);
    expect(seen[0]!.init.body).toBe('{"ref":"a b"}');
    expect(seen[0]!.init.headers).toMatchObject({ "content-type": "application/json" });
    expect(seen[1]!.url).toBe(`${BASE}/v1/images?ref=busybox%3Alatest`);
    expect(seen[1]!.init.body).toBeUndefined();
    expect(seen[1]!.init.headers).not.toHaveProperty("content-type");
  });

  it("gives up on a silent service after the timeout, naming service, URL and the wait", async () => {
    const silent = net.createServer((socket) => sockets.push(socket)); // accepts, never answers
    servers.push(silent);
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    const c = new JsonClient(url, { service: "scheduler", timeoutMs: 100, backoff: { attempts: 2, baseMs: 1, maxMs: 1 } });
    const started = Date.now();
    const err = await c.get("/v1/nodes").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceUnreachable);
    expect((err as Error).message).toBe(`cannot reach scheduler at ${url}: no answer within 100 ms`);
    // Two tries of 100 ms each, not an open-ended wait.
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("says ECONNREFUSED for a port where nothing listens", async () => {
    const port = await closedPort();
    const c = new JsonClient(`http://127.0.0.1:${port}`, { service: "agent edge1", backoff: { attempts: 1, baseMs: 1, maxMs: 1 } });
    await expect(c.get("/v1/info")).rejects.toThrow(`cannot reach agent edge1 at http://127.0.0.1:${port}: ECONNREFUSED`);
  });

  it("retries GET, HEAD, PUT and DELETE when no answer came, up to the attempts, with growing waits", async () => {
    for (const method of ["GET", "HEAD", "PUT", "DELETE"]) {
      const { fetch, seen } = scripted([refused()]);
      const { c, waits } = client(fetch, { backoff: { attempts: 4, baseMs: 100, maxMs: 250 } });
      const err = await c.request(method, "/v1/workloads/w-1").catch((e: unknown) => e);
      expect(err, method).toBeInstanceOf(ServiceUnreachable);
      expect((err as ServiceUnreachable).reason).toBe("ECONNREFUSED");
      expect(seen, method).toHaveLength(4);
      expect(waits, method).toEqual([75, 150, 188]); // 3/4 of 100, 200, then the 250 cap (random 0.5)
    }
  });

  it("never retries POST: it may have taken effect", async () => {
    const { fetch, seen } = scripted([refused()]);
    const { c, waits } = client(fetch);
    await expect(c.post("/v1/migrations", { workload: "w-1" })).rejects.toBeInstanceOf(ServiceUnreachable);
    expect(seen).toHaveLength(1);
    expect(waits).toEqual([]);
    const gateway = scripted([json(503, { message: "busy" })]);
    await expect(client(gateway.fetch).c.post("/v1/migrations", {})).rejects.toThrow(/answered 503: busy/);
    expect(gateway.seen).toHaveLength(1);
  });

  it("retries 502, 503 and 504 but not other errors, and returns the first success", async () => {
    const flaky = scripted([json(502, {}), json(503, {}), json(200, { id: "w-1" })]);
    expect(await client(flaky.fetch).c.get("/v1/workloads/w-1")).toEqual({ id: "w-1" });
    expect(flaky.seen).toHaveLength(3);
    for (const status of [400, 404, 409, 500]) {
      const s = scripted([json(status, { message: "no" })]);
      await expect(client(s.fetch).c.get("/v1/x")).rejects.toBeInstanceOf(ServiceError);
      expect(s.seen, String(status)).toHaveLength(1);
    }
    const down = scripted([json(504, { message: "upstream timeout" })]);
    const err = await failure(client(down.fetch).c.put("/v1/x", {}));
    expect(err.status).toBe(504);
    expect(down.seen).toHaveLength(3);
  });

  it("one try only when the caller asks (it retries on its own schedule)", async () => {
    const { fetch, seen } = scripted([refused()]);
    await expect(client(fetch).c.get("/v1/info", { retry: false })).rejects.toBeInstanceOf(ServiceUnreachable);
    expect(seen).toHaveLength(1);
  });

  it("reads status, code and message from the service's error body, naming service, method and path", async () => {
    const body = { statusCode: 409, error: "Conflict", code: "CONFLICT", message: "task 't-1' is already placed", reason: "duplicate task id" };
    const { fetch } = scripted([json(409, body)]);
    const err = await failure(client(fetch).c.post("/v1/tasks", {}));
    expect(err).toBeInstanceOf(ServiceError);
    expect(err.message).toBe(`agent edge1 at ${BASE}: POST /v1/tasks answered 409: task 't-1' is already placed`);
    expect([err.status, err.code, err.serviceMessage, err.body.reason]).toEqual([409, "CONFLICT", "task 't-1' is already placed", "duplicate task id"]);
  });

  it("tolerates the older {message} body, a text body and an empty one", async () => {
    const old = await failure(client(scripted([json(404, { message: "no workload w-9" })]).fetch).c.get("/v1/workloads/w-9"));
    expect([old.code, old.serviceMessage]).toEqual([undefined, "no workload w-9"]);
    const text = await failure(client(scripted([new Response("not JSON at all", { status: 400 })]).fetch).c.get("/v1/x"));
    expect(text.serviceMessage).toBe("not JSON at all");
    const empty = await failure(client(scripted([new Response(null, { status: 403 })]).fetch).c.get("/v1/x"));
    expect(empty.message).toMatch(/answered 403: Forbidden$/);
  });

  it("answers a non-2xx status as a value through exchange()", async () => {
    const { fetch } = scripted([json(409, { message: "refused", reason: "budget" })]);
    const answer = await client(fetch).c.exchange("POST", "/v1/tasks", { body: {} });
    expect(answer.ok).toBe(false);
    expect(answer.status).toBe(409);
    if (!answer.ok) expect(answer.error.body.reason).toBe("budget");
    const ok = await client(scripted([new Response(null, { status: 204 })]).fetch).c.exchange("DELETE", "/v1/nodes/e1");
    expect(ok).toEqual({ ok: true, status: 204, data: undefined });
  });

  it("stops at once, without retrying, when the caller aborts", async () => {
    const abort = new AbortController();
    const fetch: Fetch = async (_url, init) => {
      abort.abort(new Error("caller gave up"));
      throw init.signal?.reason;
    };
    let calls = 0;
    const { c, waits } = client(async (url, init) => {
      calls++;
      return fetch(url, init);
    });
    await expect(c.get("/v1/info", { signal: abort.signal })).rejects.toThrow("caller gave up");
    expect(calls).toBe(1);
    expect(waits).toEqual([]);
  });

  it("hands its errors to mapError (the CLI turns them into CliError)", async () => {
    const mapped = new Error("mapped");
    const { c } = client(scripted([refused()]).fetch, { mapError: () => mapped, backoff: { attempts: 1, baseMs: 1, maxMs: 1 } });
    await expect(c.get("/v1/info")).rejects.toBe(mapped);
    const { c: c2 } = client(scripted([json(400, { message: "bad" })]).fetch, { mapError: (e) => new Error(`mapped ${(e as ServiceError).status}`) });
    await expect(c2.get("/v1/info")).rejects.toThrow("mapped 400");
  });
});
