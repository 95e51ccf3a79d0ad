// The metrics kit: GET /metrics in the Prometheus text format from a
// registry of the service's own (two services in one process keep their
// counters apart), process metrics included, and API latency labelled by the
// route's pattern, never the raw URL.
import Fastify, { type FastifyInstance } from "fastify";
import { Counter } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { STRICT_AJV } from "../../../../src/http/validation.js";
import { HTTP_DURATION, installMetrics } from "../../../../src/metrics/http-metrics.js";
import { serviceRegistry } from "../../../../src/metrics/registry.js";
import { parseExposition, sampleValue } from "../../../helpers/prometheus.js";

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
});

function service(counterName: string) {
  const registry = serviceRegistry();
  const counter = new Counter({ name: counterName, help: "a test counter", registers: [registry] });
  const app = Fastify({ ajv: STRICT_AJV });
  installMetrics(app, registry);
  app.get<{ Params: { id: string } }>("/things/:id", async (req) => ({ id: req.params.id }));
  apps.push(app);
  return { app, counter };
}

const scrape = async (app: FastifyInstance) => {
  const res = await app.inject({ method: "GET", url: "/metrics" });
  expect(res.statusCode).toBe(200);
  expect(res.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(res.body);
};

describe("GET /metrics", () => {
  it("serves the registry's metrics with their types, and the process metrics", async () => {
    const { app, counter } = service("fm_test_things_total");
    counter.inc(3);
    const m = await scrape(app);
    expect(m.types.get("fm_test_things_total")).toBe("counter");
    expect(sampleValue(m, "fm_test_things_total")).toBe(3);
    expect(m.types.get("process_cpu_user_seconds_total")).toBe("counter");
    expect(m.types.get("process_resident_memory_bytes")).toBe("gauge");
    expect(m.types.get(HTTP_DURATION)).toBe("histogram");
  });

  it("two services in one process keep their own counters (no global registry)", async () => {
    const a = service("fm_test_a_total");
    const b = service("fm_test_b_total");
    a.counter.inc();
    const [ma, mb] = [await scrape(a.app), await scrape(b.app)];
    expect(ma.types.has("fm_test_a_total")).toBe(true);
    expect(ma.types.has("fm_test_b_total")).toBe(false);
    expect(mb.types.has("fm_test_a_total")).toBe(false);
    expect(sampleValue(mb, "fm_test_b_total")).toBe(0);
  });

  it("times each request under its route pattern; an unmatched URL is one 'unmatched' series", async () => {
    const { app } = service("fm_test_c_total");
    for (const id of ["1", "2", "abc"]) await app.inject({ method: "GET", url: `/things/${id}` });
    await app.inject({ method: "GET", url: "/nothing/here" });
    await app.inject({ method: "GET", url: "/nothing/else" });
    const m = await scrape(app);
    const count = (labels: Record<string, string>) => sampleValue(m, `${HTTP_DURATION}_count`, labels);
    expect(count({ method: "GET", route: "/things/:id", status_code: "200" })).toBe(3);
    expect(count({ method: "GET", route: "unmatched", status_code: "404" })).toBe(2);
    const routes = new Set(m.samples.filter((s) => s.name === `${HTTP_DURATION}_count`).map((s) => s.labels.route));
    expect([...routes].some((r) => r?.includes("abc") || r === "/things/1")).toBe(false);
  });

  it("refuses a query it does not know (strict like every route)", async () => {
    const { app } = service("fm_test_d_total");
    const res = await app.inject({ method: "GET", url: "/metrics?format=json" });
    expect(res.statusCode).toBe(400);
  });
});
