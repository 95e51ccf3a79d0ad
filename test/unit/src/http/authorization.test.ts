// Every route of every service, called with every role and with none, with
// the service's own access table enforced (src/http/auth.ts): no or bad
// credentials answer 401, a role the row does not name 403, a role it names
// gets past the check (what the route then answers is its own business), and
// a refused call changes nothing the service shows. Identities come as
// bearer tokens signed by a test CA key for every role (the services accept
// tokens only for device, admin and viewer; certificates, which carry any
// role, are checked over real TLS in test/integration/src/trust/).
import { generateKeyPairSync } from "node:crypto";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTROLLER_ACCESS } from "../../../../controller/api/access.js";
import { createController, type RunningController } from "../../../../controller/app.js";
import { AGENT_ACCESS } from "../../../../edge-agent/service/access.js";
import { Agent } from "../../../../edge-agent/service/agent.js";
import { buildApp } from "../../../../edge-agent/service/app.js";
import { schedulerAccess } from "../../../../scheduler/service/access.js";
import { type AccessTable, installAuth } from "../../../../src/http/auth.js";
import type { ServiceSecurity } from "../../../../src/http/service-security.js";
import { type Role, ROLES } from "../../../../src/trust/identity.js";
import { signToken, type TokenClaims, verifyToken } from "../../../../src/trust/token.js";
import { LOOSE, makeApp } from "../../scheduler/service/helpers.js";

const ca = generateKeyPairSync("ec", { namedCurve: "P-256" });
/** Every role by token here; in production tokens carry device, admin or viewer only. */
const security: ServiceSecurity = { verifyToken: (t) => verifyToken(t, ca.publicKey, new Date(), ROLES), allowedOrigins: ["https://dashboard.example"] };
const token = (role: Role, name: string) => signToken(ca.privateKey, { role, name, iat: 1 } as unknown as TokenClaims);
/** The name each role calls with: the agent is edge1's, the device owns the task t-1. */
const NAME: Record<Role, string> = { scheduler: "scheduler", controller: "controller", agent: "edge1", admin: "admin", device: "cam-1", viewer: "dash" };
const auth = (role: Role, name = NAME[role]) => ({ authorization: `Bearer ${token(role, name)}` });

interface Service {
  name: string;
  app: () => FastifyInstance;
  table: AccessTable;
  params: Record<string, string>;
  /** GETs whose answers (as an admin) are the service's visible state. */
  state: string[];
}

let scheduler: FastifyInstance;
let controller: RunningController;
let agent: FastifyInstance;

const services: Service[] = [
  {
    name: "scheduler",
    app: () => scheduler,
    table: schedulerAccess(() => undefined),
    params: { name: "edge1", id: "t-1" },
    state: ["/v1/nodes", "/v1/placements", "/v1/devices", "/v1/migrations", "/v1/groups"],
  },
  {
    name: "controller",
    app: () => controller.http,
    table: CONTROLLER_ACCESS,
    params: { dpid: "1", port: "2", id: "r-1", name: "web" },
    state: ["/v1/dns", "/v1/redirects", "/v1/nodes", "/v1/overlay", "/v1/role"],
  },
  { name: "agent", app: () => agent, table: AGENT_ACCESS, params: { id: "m-1", name: "pages-1.img" }, state: ["/v1/workloads", "/v1/migrations"] },
];

/** A device's id is its name: the device route takes the device's own, the task routes its task. */
const concrete = (url: string, params: Record<string, string>) =>
  url.replace(/:(\w+)/g, (_, p: string) => (url.startsWith("/v1/devices/") && p === "id" ? NAME.device : (params[p] ?? "x")));

async function stateOf(s: Service): Promise<unknown[]> {
  return Promise.all(s.state.map(async (url) => (await s.app().inject({ method: "GET", url, headers: auth("admin") })).json()));
}

beforeAll(async () => {
  scheduler = await makeApp(undefined, { security });
  // t-1, a task of device cam-1: what devices may or may not touch.
  const placed = await scheduler.inject({ method: "POST", url: "/v1/tasks", payload: { ...LOOSE, id: "t-1" }, headers: auth("admin") });
  expect(placed.statusCode, placed.body).toBe(201);
  controller = await createController({ openflowPort: 0, httpPort: 0, dnsPort: 0, ovsdb: "unix:/nonexistent/fma-authz/db.sock", security });
  const caps = { criu: { present: false, checkOk: false, features: {} }, docker: { present: false }, cgroupCpu: { ok: true }, strategies: {} };
  agent = await buildApp(new Agent({ node: "edge1", tier: "edge", selfUrl: "http://127.0.0.1:7701", workRoot: "/tmp/fma-authz-unused" }, caps), { security });
});

afterAll(async () => {
  await scheduler?.close();
  await controller?.close();
  await agent?.close();
});

describe.each(services)("every route of the $name, with every role and with none", (service) => {
  it("the access table has a row for every route the app serves, and only those", () => {
    const served = new Set<string>();
    // installAuth refuses to build an app with a route missing from the table; here the other way round:
    // every row names a route that exists (a stale row would be a route nobody guards).
    for (const key of Object.keys(service.table)) {
      const [method, url] = key.split(" ") as [string, string];
      expect(service.app().hasRoute({ method: method as "GET", url }), `${key} is in the table but not served`).toBe(true);
      served.add(key);
    }
    expect(served.size).toBe(Object.keys(service.table).length);
  });

  it("401 without or with bad credentials, 403 for roles the row does not name, past the check for those it does; refusals change nothing", async () => {
    const app = service.app();
    let refusals = 0;
    for (const [key, row] of Object.entries(service.table)) {
      const [method, template] = key.split(" ") as ["GET" | "POST" | "PUT" | "DELETE", string];
      const url = concrete(template, service.params);
      const payload = method === "POST" || method === "PUT" ? {} : undefined;
      const call = (headers: Record<string, string>) => app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
      const before = await stateOf(service);
      if (row.public) {
        // The dashboard's files: anyone, with or without credentials; they hold no data and change nothing.
        for (const headers of [{} as Record<string, string>, auth("device")]) {
          const res = await call(headers);
          expect([401, 403], `${key} (public) with ${JSON.stringify(headers)}: ${res.body}`).not.toContain(res.statusCode);
        }
        expect(await stateOf(service), `${key}: a public read changed the ${service.name}'s state`).toEqual(before);
        continue;
      }
      for (const headers of [{} as Record<string, string>, { authorization: "Bearer fmt1.e30.AAAA" }, { authorization: "Basic YWRtaW46YWRtaW4=" }, { authorization: `Bearer ${token("admin", "admin")}x` }]) {
        const res = await call(headers);
        expect(res.statusCode, `${key} with ${JSON.stringify(headers)}: ${res.body}`).toBe(401);
        expect(res.json().code).toBe("UNAUTHENTICATED");
        refusals++;
      }
      for (const role of ROLES.filter((r) => !row.roles.includes(r))) {
        const res = await call(auth(role));
        expect(res.statusCode, `${key} as ${role}: ${res.body}`).toBe(403);
        expect(res.json().code).toBe("FORBIDDEN");
        refusals++;
      }
      expect(await stateOf(service), `${key}: a refused call changed the ${service.name}'s state`).toEqual(before);
      for (const role of row.roles) {
        const res = await call(auth(role));
        expect([401, 403], `${key} as ${role} (allowed): ${res.body}`).not.toContain(res.statusCode);
      }
    }
    expect(refusals).toBeGreaterThan(Object.keys(service.table).length * 4);
  });

  it("refuses a WebSocket from an origin not on the allow-list, before the upgrade", async () => {
    const app = service.app();
    const ws = (origin: string) =>
      app.inject({ method: "GET", url: "/v1/events", headers: { ...auth("admin"), upgrade: "websocket", connection: "Upgrade", origin, "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==" } });
    const evil = await ws("https://evil.example");
    expect(evil.statusCode, evil.body).toBe(403);
    expect(evil.json().message).toMatch(/origin https:\/\/evil.example refused/);
    expect((await ws("https://dashboard.example")).statusCode).not.toBe(403);
    // The service's own page (the scheduler's dashboard): same scheme and host as the request; another scheme is not.
    const own = await ws("http://localhost:80");
    expect(own.statusCode, `${own.body} ${JSON.stringify(own.headers)}`).not.toBe(403);
    expect((await ws("https://localhost:80")).statusCode).toBe(403);
  });
});

describe("bound to a name: an agent for its own node, a device for its own tasks", () => {
  it("refuses an agent registering or reporting for another node, and a device touching another's task", async () => {
    // A task of cam-1's own (the sweep above may have released t-1).
    const placed = await scheduler.inject({ method: "POST", url: "/v1/tasks", payload: { ...LOOSE, id: "t-5" }, headers: auth("device", "cam-1") });
    expect(placed.statusCode, placed.body).toBe(201);
    const before = await stateOf(services[0]!);
    const forged = await scheduler.inject({ method: "POST", url: "/v1/nodes", headers: auth("agent", "edge2"), payload: { name: "edge1", tier: "edge", cpus: 4096, netDelayMs: 1 } });
    expect(forged.statusCode, forged.body).toBe(403);
    expect(forged.json().message).toBe("agent edge2 may not act for edge1");
    const report = await scheduler.inject({ method: "PUT", url: "/v1/nodes/edge1/report", headers: auth("agent", "edge2"), payload: { cpu: { usage: 0.1, cores: 4096 } } });
    expect(report.statusCode, report.body).toBe(403);
    for (const [method, url] of [["DELETE", "/v1/tasks/t-5"], ["GET", "/v1/tasks/t-5"], ["GET", "/v1/tasks/t-5/latency"]] as const) {
      const res = await scheduler.inject({ method, url, headers: auth("device", "cam-2") });
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(403);
    }
    const foreignTask = await scheduler.inject({ method: "POST", url: "/v1/tasks", headers: auth("device", "cam-2"), payload: { ...LOOSE, id: "t-9" } });
    expect(foreignTask.statusCode, foreignTask.body).toBe(403);
    expect(await stateOf(services[0]!)).toEqual(before);
    // Its owner may: the task is read, then released.
    expect((await scheduler.inject({ method: "GET", url: "/v1/tasks/t-5", headers: auth("device", "cam-1") })).statusCode).toBe(200);
    expect((await scheduler.inject({ method: "DELETE", url: "/v1/tasks/t-5", headers: auth("device", "cam-1") })).statusCode).toBe(200);
    const own = await scheduler.inject({ method: "POST", url: "/v1/nodes", headers: auth("agent", "edge1"), payload: { name: "edge1", tier: "edge", cpus: 2, netDelayMs: 1 } });
    expect(own.statusCode, own.body).toBeLessThan(300);
  });
});

describe("installAuth", () => {
  it("refuses to build an app with a route that has no row", async () => {
    const app = Fastify();
    installAuth(app, { table: { "GET /a": { roles: ["admin"] } } });
    app.get("/a", async () => "ok");
    expect(() => app.get("/b", async () => "no")).toThrow(/route GET \/b has no row in the access table/);
    await app.close();
  });
});
