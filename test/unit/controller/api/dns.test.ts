import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { type DnsEvent, dnsRoutes } from "../../../../controller/api/dns.js";
import { DnsRecords } from "../../../../controller/dns/records.js";
import { installErrorHandling } from "../../../../src/http/error-handler.js";
import { STRICT_AJV } from "../../../../src/http/validation.js";

let app: FastifyInstance;
let records: DnsRecords;
let events: DnsEvent[];

async function build() {
  records = new DnsRecords({ now: () => new Date("2026-03-04T05:06:07.000Z") });
  events = [];
  app = Fastify({ ajv: STRICT_AJV }); // as the controller builds it
  installErrorHandling(app);
  await app.register(dnsRoutes, { records, onEvent: (e) => events.push(e) });
  await app.ready();
}

afterEach(async () => {
  await app?.close();
});

describe("DNS API", () => {
  it("PUT creates (201) then changes (200) a record, GET lists it, events carry the old IP", async () => {
    await build();
    const created = await app.inject({ method: "PUT", url: "/v1/dns/records/web", payload: { ip: "10.0.0.5" } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({ name: "web.svc.fleximigrate.local", ip: "10.0.0.5", ttl: 5, updatedAt: "2026-03-04T05:06:07.000Z" });
    const moved = await app.inject({ method: "PUT", url: "/v1/dns/records/web.svc.fleximigrate.local.", payload: { ip: "10.0.1.5", ttl: 2 } });
    expect(moved.statusCode).toBe(200);
    expect(moved.json()).toMatchObject({ ip: "10.0.1.5", ttl: 2 });
    const list = await app.inject({ method: "GET", url: "/v1/dns" });
    expect(list.json()).toEqual({ zone: "svc.fleximigrate.local", defaultTtl: 5, records: [moved.json()] });
    expect(events.map((e) => [e.type, e.record.ip, e.type === "dns.record.set" ? e.previousIp : null])).toEqual([
      ["dns.record.set", "10.0.0.5", null],
      ["dns.record.set", "10.0.1.5", "10.0.0.5"],
    ]);
  });

  it("DELETE removes a record and 404s an unknown one", async () => {
    await build();
    records.set("db", "10.0.0.9");
    const del = await app.inject({ method: "DELETE", url: "/v1/dns/records/db" });
    expect(del.statusCode).toBe(200);
    expect(del.json()).toMatchObject({ name: "db.svc.fleximigrate.local", ip: "10.0.0.9" });
    expect(records.size).toBe(0);
    const again = await app.inject({ method: "DELETE", url: "/v1/dns/records/db" });
    expect(again.statusCode).toBe(404);
    expect(again.json().message).toMatch(/no record named db\.svc\.fleximigrate\.local/);
    expect(events.map((e) => e.type)).toEqual(["dns.record.deleted"]);
  });

  it("PUT /v1/dns/records/%20web is a bad name (400), and web keeps its address", async () => {
    await build();
    records.set("web", "10.0.0.5");
    const before = records.list();
    for (const url of ["/v1/dns/records/%20web", "/v1/dns/records/web%20", "/v1/dns/records/%09web"]) {
      const res = await app.inject({ method: "PUT", url, payload: { ip: "10.6.6.6" } });
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/invalid name/) });
      expect((await app.inject({ method: "DELETE", url })).statusCode, url).toBe(400);
    }
    expect(records.list()).toEqual(before);
    expect(events).toEqual([]);
  });

  it("answers 400 with a message to bad input and changes nothing", async () => {
    await build();
    records.set("web", "10.0.0.5");
    const before = records.list();
    const cases: Array<[string, string, unknown, RegExp]> = [
      ["PUT", "/v1/dns/records/web", { ip: "10.0.0.256" }, /not an IPv4 address/],
      ["PUT", "/v1/dns/records/web", { ip: "fe80::1" }, /not an IPv4 address/],
      ["PUT", "/v1/dns/records/web", {}, /must have required property 'ip'/],
      ["PUT", "/v1/dns/records/web", { ip: "10.0.0.7", extra: 1 }, /unknown properties: extra/],
      ["PUT", "/v1/dns/records/web", ["10.0.0.7"], /object/],
      ["PUT", "/v1/dns/records/web", { ip: "10.0.0.7", ttl: -3 }, /ttl/],
      ["PUT", "/v1/dns/records/web", { ip: 7 }, /IPv4/],
      ["PUT", "/v1/dns/records/bad_name", { ip: "10.0.0.7" }, /invalid name/],
      ["PUT", "/v1/dns/records/web.example.com.", { ip: "10.0.0.7" }, /outside the zone/],
      ["PUT", "/v1/dns/records/svc.fleximigrate.local", { ip: "10.0.0.7" }, /zone apex/],
      ["DELETE", "/v1/dns/records/-x", undefined, /invalid name/],
    ];
    for (const [method, url, payload, message] of cases) {
      const res = await app.inject({ method: method as "PUT" | "DELETE", url, payload: payload as object | undefined });
      expect(res.statusCode, `${method} ${url} ${JSON.stringify(payload)}`).toBe(400);
      expect(res.json().message, `${method} ${url}`).toMatch(message);
    }
    expect(records.list()).toEqual(before);
    expect(events).toEqual([]);
  });
});
