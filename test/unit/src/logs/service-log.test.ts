// A service's structured log over fastify: the caller's x-request-id becomes
// the request id and the correlation id of everything the handler starts
// (background work included), the JsonClient forwards the running work's
// correlation id, lines go out as JSON or pretty text and into the ring, and
// GET /v1/logs answers one id's lines with strictly checked input.
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { currentCorrelation, withCorrelation } from "../../../../src/http/correlation.js";
import { installErrorHandling } from "../../../../src/http/error-handler.js";
import { JsonClient } from "../../../../src/http/json-client.js";
import { STRICT_AJV } from "../../../../src/http/validation.js";
import { logsRoutes } from "../../../../src/logs/logs-routes.js";
import { installRequestLogging } from "../../../../src/logs/request-logging.js";
import { type LogFormat, ServiceLog } from "../../../../src/logs/service-log.js";

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
});

function service(format: LogFormat = "json") {
  const out: string[] = [];
  const log = new ServiceLog({ service: "svc", format, out: { write: (t) => out.push(t) } });
  const app = Fastify({ ...log.fastifyOptions(), ajv: STRICT_AJV });
  installRequestLogging(app);
  installErrorHandling(app);
  logsRoutes(app, log);
  let background: Promise<void> = Promise.resolve();
  app.post("/work", async (req) => {
    req.log.info("handling");
    // Work that outlives the request still logs under its correlation id.
    background = new Promise<void>((r) =>
      setTimeout(() => {
        app.log.info({ seen: currentCorrelation() ?? "none" }, "later");
        r();
      }, 5),
    );
    return { correlation: currentCorrelation() ?? null };
  });
  apps.push(app);
  return { app, log, out, background: () => background };
}

describe("request ids and correlation", () => {
  it("a caller's x-request-id is the request id, echoed, and the correlation id of the handler and its background work", async () => {
    const { app, log, background } = service();
    const res = await app.inject({ method: "POST", url: "/work", headers: { "x-request-id": "m-7" } });
    expect(res.json()).toEqual({ correlation: "m-7" });
    expect(res.headers["x-request-id"]).toBe("m-7");
    await background();
    const lines = log.ring.about("m-7", 100).lines;
    expect(lines.map((l) => l.msg)).toEqual(["handling", "POST /work 200", "later"]);
    expect(lines.find((l) => l.msg === "later")).toMatchObject({ correlation: "m-7", fields: { seen: "m-7" } });
    expect(lines.find((l) => l.msg === "POST /work 200")).toMatchObject({ level: "info", reqId: "m-7", fields: { route: "/work", statusCode: 200 } });
  });

  it("no header or a malformed one: a request id of the service's own, no correlation, the request line at debug only", async () => {
    const { app, log } = service();
    const bad = await app.inject({ method: "POST", url: "/work", headers: { "x-request-id": "has spaces and\nnewline" } });
    expect(bad.json()).toEqual({ correlation: null });
    expect(bad.headers["x-request-id"]).toMatch(/^req-\d+$/);
    const none = await app.inject({ method: "POST", url: "/work" });
    expect(none.headers["x-request-id"]).toMatch(/^req-\d+$/);
    expect(log.ring.about(String(none.headers["x-request-id"]), 10).lines.map((l) => l.msg)).toEqual(["handling"]);
  });

  it("the JsonClient sends the running work's correlation id, and an explicit one over it", async () => {
    const { app } = service();
    await app.listen({ port: 0, host: "127.0.0.1" });
    const client = new JsonClient(`http://127.0.0.1:${(app.server.address() as { port: number }).port}`, { service: "svc" });
    expect(await withCorrelation("m-9", () => client.post("/work"))).toEqual({ correlation: "m-9" });
    expect(await client.post("/work")).toEqual({ correlation: null });
    expect(await client.post("/work", undefined, { requestId: "m-10" })).toEqual({ correlation: "m-10" });
  });
});

describe("output formats", () => {
  it("json: one pino JSON line per event, naming the service", async () => {
    const { app, out } = service("json");
    await app.inject({ method: "POST", url: "/work", headers: { "x-request-id": "m-1" } });
    const first = JSON.parse(out[0]!);
    expect(first).toMatchObject({ level: 30, service: "svc", reqId: "m-1", correlation: "m-1", msg: "handling" });
  });

  it("pretty: readable text with the level and the message, not JSON", async () => {
    const { app, out } = service("pretty");
    await app.inject({ method: "POST", url: "/work", headers: { "x-request-id": "m-1" } });
    expect(out[0]).toMatch(/INFO.*handling/);
    expect(() => JSON.parse(out[0]!)).toThrow();
  });
});

describe("GET /v1/logs", () => {
  it("answers one id's lines, bounded by limit", async () => {
    const { app } = service();
    for (let i = 0; i < 3; i++) await app.inject({ method: "POST", url: "/work", headers: { "x-request-id": "m-2" } });
    const all = (await app.inject({ method: "GET", url: "/v1/logs?migration=m-2" })).json();
    expect(all).toMatchObject({ service: "svc", truncated: false });
    expect(all.lines).toHaveLength(6);
    const two = (await app.inject({ method: "GET", url: "/v1/logs?migration=m-2&limit=2" })).json();
    expect(two.lines).toHaveLength(2);
    expect(two.truncated).toBe(true);
  });

  it.each([
    ["", "migration"],
    ["?migration=", "migration"],
    ["?migration=a%20b", "migration"],
    [`?migration=${"x".repeat(65)}`, "migration"],
    ["?migration=m-1&limit=0", "limit"],
    ["?migration=m-1&limit=abc", "limit"],
    ["?migration=m-1&limit=2001", "limit"],
    ["?migration=m-1&other=1", "other"],
  ])("refuses %s with a 400 naming %s", async (query, field) => {
    const { app } = service();
    const res = await app.inject({ method: "GET", url: `/v1/logs${query}` });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain(field);
  });
});
