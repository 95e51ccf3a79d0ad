// A standby controller answers every write 503 with the leader's URL and a
// Retry-After, before any side effect (and before the body is validated);
// reads are served; the leader's writes go through.
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { dnsRoutes } from "../../../../controller/api/dns.js";
import { refuseWritesOnStandby } from "../../../../controller/api/standby.js";
import { DnsRecords } from "../../../../controller/dns/records.js";
import { installErrorHandling } from "../../../../src/http/error-handler.js";
import { STRICT_AJV } from "../../../../src/http/validation.js";

let app: FastifyInstance | undefined;
const state = { leads: false, leader: "http://127.0.0.1:46601" as string | undefined };

async function build(records: DnsRecords) {
  app = Fastify({ ajv: STRICT_AJV });
  installErrorHandling(app);
  refuseWritesOnStandby(app, { leads: () => state.leads, leader: () => state.leader, retryAfterS: 2 });
  await app.register(dnsRoutes, { records, onEvent: () => {} });
  await app.ready();
  return app;
}

afterEach(async () => {
  await app?.close();
});

describe("writes on a standby controller", () => {
  it("answer 503 { error, leader } with Retry-After, change nothing, and reads are served", async () => {
    const records = new DnsRecords();
    records.set("web", "10.0.0.5");
    const a = await build(records);
    state.leads = false;
    state.leader = "http://127.0.0.1:46601";
    const put = await a.inject({ method: "PUT", url: "/v1/dns/records/web", payload: { ip: "10.0.0.6" } });
    expect(put.statusCode).toBe(503);
    expect(put.headers["retry-after"]).toBe("2");
    expect(put.json()).toMatchObject({ error: "Service Unavailable", code: "UNAVAILABLE", leader: "http://127.0.0.1:46601", reason: "standby" });
    expect(records.get("web")?.ip).toBe("10.0.0.5");
    // A body the route would refuse still gets the 503: the standby is the answer, not the body.
    expect((await a.inject({ method: "PUT", url: "/v1/dns/records/web", payload: { bogus: 1 } })).statusCode).toBe(503);
    expect((await a.inject({ method: "DELETE", url: "/v1/dns/records/web" })).statusCode).toBe(503);
    const get = await a.inject({ method: "GET", url: "/v1/dns" });
    expect(get.statusCode).toBe(200);
    expect(get.json().records).toHaveLength(1);
  });

  it("name no leader as null while nobody leads, and let the leader's writes through", async () => {
    const records = new DnsRecords();
    const a = await build(records);
    state.leads = false;
    state.leader = undefined;
    const put = await a.inject({ method: "PUT", url: "/v1/dns/records/web", payload: { ip: "10.0.0.6" } });
    expect(put.statusCode).toBe(503);
    expect(put.json().leader).toBeNull();
    state.leads = true;
    expect((await a.inject({ method: "PUT", url: "/v1/dns/records/web", payload: { ip: "10.0.0.6" } })).statusCode).toBe(201);
    expect(records.get("web")?.ip).toBe("10.0.0.6");
  });
});
