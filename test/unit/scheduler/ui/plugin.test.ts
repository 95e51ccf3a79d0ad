// GET /ui and its read-only forward to the controller: the page with its
// content security policy, the script bundled once (and again after a failed
// bundle), the real bundle free of Node modules, and the forward: only the
// listed GETs reach the controller, with the scheduler's own credentials (never the caller's); what the
// controller answers comes back with its status; its events are relayed over
// one upstream socket that closes with the last listener.
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { ApiError } from "../../../../src/http/api-error.js";
import { installErrorHandling } from "../../../../src/http/error-handler.js";
import { EventHub } from "../../../../src/http/event-hub.js";
import { eventsPlugin } from "../../../../src/http/events-plugin.js";
import { STRICT_AJV } from "../../../../src/http/validation.js";
import { bundleClient } from "../../../../scheduler/ui/bundle.js";
import { FORWARDED_READS } from "../../../../scheduler/ui/controller-forward.js";
import { type UiPluginOptions, uiPlugin } from "../../../../scheduler/ui/plugin.js";
import { waitFor } from "../../../helpers/wait.js";

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
});

async function ui(opts: UiPluginOptions): Promise<FastifyInstance> {
  const app = Fastify({ ajv: STRICT_AJV });
  apps.push(app);
  installErrorHandling(app);
  await app.register(uiPlugin(opts));
  return app;
}

/** A controller stand-in: the GETs the forward may read, one refusing, its event hub; it records the headers it got. */
async function fakeController() {
  const app = Fastify();
  apps.push(app);
  installErrorHandling(app);
  const seen: Array<{ method: string; url: string; authorization?: string }> = [];
  app.addHook("onRequest", async (req) => {
    seen.push({ method: req.method, url: req.url, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
  });
  app.get("/v1/topology", async () => ({ switches: ["0000000000000001"], settled: true, links: [], hosts: 0 }));
  app.get("/v1/switches/:dpid/flows", async (req) => {
    throw ApiError.notFound(`switch ${(req.params as { dpid: string }).dpid} is not connected`);
  });
  app.post("/v1/redirect", async () => ({ redirected: true }));
  const hub = new EventHub<{ type: string }>();
  await app.register(eventsPlugin({ hub, summary: "test" }));
  await app.listen({ port: 0, host: "127.0.0.1" });
  const addr = app.server.address() as { port: number };
  return { url: `http://127.0.0.1:${addr.port}`, seen, hub };
}

const BUNDLE = { js: "console.log('dashboard')", size: 24, ms: 1 };

describe("GET /ui", () => {
  it("redirects /ui to /ui/ keeping ?token=, serves the page under a strict content security policy, and its stylesheet", async () => {
    const app = await ui({ bundle: async () => BUNDLE });
    const r = await app.inject({ url: "/ui?token=abc" });
    expect(r.statusCode).toBe(302);
    expect(r.headers.location).toBe("/ui/?token=abc");
    const page = await app.inject({ url: "/ui/" });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.body).toContain('<script type="module" src="app.js"></script>');
    expect(page.headers["content-security-policy"]).toMatch(/script-src 'self'/);
    expect(page.headers["content-security-policy"]).toMatch(/connect-src 'self' ws: wss:/);
    const css = await app.inject({ url: "/ui/dashboard.css" });
    expect(css.headers["content-type"]).toMatch(/^text\/css/);
  });

  it("bundles the script once; a failed bundle answers 500 INTERNAL with esbuild's message and is tried again", async () => {
    let calls = 0;
    const app = await ui({
      bundle: async () => {
        calls++;
        if (calls === 1) throw new Error("main.ts:1:1: ERROR: broken");
        return BUNDLE;
      },
    });
    const failed = await app.inject({ url: "/ui/app.js" });
    expect(failed.statusCode).toBe(500);
    expect(failed.json()).toMatchObject({ code: "INTERNAL", message: expect.stringContaining("broken") });
    for (let i = 0; i < 2; i++) {
      const ok = await app.inject({ url: "/ui/app.js" });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers["content-type"]).toMatch(/^text\/javascript/);
      expect(ok.body).toBe(BUNDLE.js);
    }
    expect(calls).toBe(2);
  });

  it("the real bundle: the client and its typed clients for the browser, no Node module left", async () => {
    const b = await bundleClient();
    expect(b.size).toBeGreaterThan(10_000);
    expect(b.js).toContain("Read-only viewer");
    expect(b.js).toContain("/ui/api/controller");
    expect(b.js).not.toMatch(/from\s*["']node:/);
    expect(b.js).not.toMatch(/require\(["']node:/);
  }, 60_000);
});

describe("the read-only forward to the controller", () => {
  it("forwards the listed GETs with the scheduler's credentials, not the caller's, and the controller's errors with their status", async () => {
    const controller = await fakeController();
    const app = await ui({ controllerUrl: controller.url, bundle: async () => BUNDLE });
    const t = await app.inject({ url: "/ui/api/controller/v1/topology", headers: { authorization: "Bearer viewer-token" } });
    expect(t.statusCode).toBe(200);
    expect(t.json().switches).toEqual(["0000000000000001"]);
    // The scheduler checked the caller; the controller sees the scheduler (here: --insecure, so no credentials at all).
    expect(controller.seen.at(-1)).toEqual({ method: "GET", url: "/v1/topology" });
    const f = await app.inject({ url: "/ui/api/controller/v1/switches/0x1/flows" });
    expect(f.statusCode).toBe(404);
    expect(f.json()).toMatchObject({ code: "NOT_FOUND", message: "controller: switch 0x1 is not connected" });
  });

  it("nothing else reaches the controller: other methods and paths are 404 here, a bad dpid is 400, and the controller saw none of them", async () => {
    const controller = await fakeController();
    const app = await ui({ controllerUrl: controller.url, bundle: async () => BUNDLE });
    for (const [method, url] of [
      ["POST", "/ui/api/controller/v1/redirect"],
      ["PUT", "/ui/api/controller/v1/dns/records/x"],
      ["DELETE", "/ui/api/controller/v1/overlay/tunnels/x"],
      ["POST", "/ui/api/controller/v1/switches/1/flows"],
      ["GET", "/ui/api/controller/v1/role"],
      ["GET", "/ui/api/controller/metrics"],
    ] as const) {
      const r = await app.inject({ method, url, ...(method === "GET" || method === "DELETE" ? {} : { payload: {} }) });
      expect(r.statusCode, `${method} ${url}`).toBe(404);
    }
    const bad = await app.inject({ url: "/ui/api/controller/v1/switches/zz/flows" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: "VALIDATION_FAILED", message: expect.stringContaining("params/dpid") });
    expect(controller.seen).toEqual([]);
    expect(FORWARDED_READS).toEqual(["/v1/topology", "/v1/switches", "/v1/switches/:dpid/flows", "/v1/switches/:dpid/ports", "/v1/hosts", "/v1/dns", "/v1/redirects", "/v1/overlay", "/v1/nodes"]);
  });

  it("503 UNAVAILABLE without a controller, or when it cannot be reached", async () => {
    const none = await ui({ bundle: async () => BUNDLE });
    const r = await none.inject({ url: "/ui/api/controller/v1/dns" });
    expect(r.statusCode).toBe(503);
    expect(r.json()).toMatchObject({ code: "UNAVAILABLE", message: expect.stringContaining("--controller") });
    const gone = await ui({ controllerUrl: "http://127.0.0.1:9", bundle: async () => BUNDLE });
    const g = await gone.inject({ url: "/ui/api/controller/v1/dns" });
    expect(g.statusCode).toBe(503);
    expect(g.json()).toMatchObject({ code: "UNAVAILABLE", message: expect.stringContaining("cannot reach controller") });
  });

  it("relays the controller's events over one upstream socket, closed with the last listener", async () => {
    const controller = await fakeController();
    const app = await ui({ controllerUrl: controller.url, bundle: async () => BUNDLE });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const port = (app.server.address() as { port: number }).port;
    const url = `ws://127.0.0.1:${port}/ui/api/controller/v1/events?token=abc`;
    const clients = [new WebSocket(url), new WebSocket(url)];
    const got = clients.map((c) => new Promise<string>((resolve) => c.once("message", (m) => resolve(String(m)))));
    await Promise.all(clients.map((c) => new Promise((r) => c.once("open", r))));
    await waitFor(async () => (controller.hub.size === 1 ? true : undefined), { timeoutMs: 5000, intervalMs: 20, what: "one upstream subscriber" });
    controller.hub.emit({ type: "switch.up", dpid: "1" } as { type: string });
    for (const text of await Promise.all(got)) expect(JSON.parse(text)).toMatchObject({ type: "switch.up", dpid: "1" });
    for (const c of clients) c.close();
    await waitFor(async () => (controller.hub.size === 0 ? true : undefined), { timeoutMs: 5000, intervalMs: 20, what: "the upstream socket to close" });
  });
});
