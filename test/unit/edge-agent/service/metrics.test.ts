// The agent's GET /metrics and logs: names and types; the post-copy page
// server's replies counted on a fault or fetched (through the onServed hook
// the strategy wires to the agent's metrics), bytes by phase; and a
// migration's id, sent by the caller as x-request-id, as the correlation id
// of the agent's lines about it, served at GET /v1/logs.
import { once } from "node:events";
import { connect } from "node:net";
import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PAGE_SIZE } from "../../../../edge-agent/postcopy/pagemap-image.js";
import { encodeHeader, HEADER_BYTES, PS_IOV_CLOSE, PS_IOV_GET } from "../../../../edge-agent/postcopy/page-server-protocol.js";
import { startPageServer } from "../../../../edge-agent/postcopy/page-server.js";
import type { PageSource } from "../../../../edge-agent/postcopy/page-source.js";
import { Agent } from "../../../../edge-agent/service/agent.js";
import { buildApp } from "../../../../edge-agent/service/app.js";
import { AGENT_METRICS } from "../../../../edge-agent/service/metrics.js";
import { AgentClient } from "../../../../src/clients/agent.js";
import { withCorrelation } from "../../../../src/http/correlation.js";
import { HTTP_DURATION } from "../../../../src/metrics/http-metrics.js";
import { parseExposition, sampleValue } from "../../../helpers/prometheus.js";

const CAPS = { criu: { present: false, checkOk: false, features: {} }, docker: { present: false }, cgroupCpu: { ok: false, error: "test" }, strategies: {} };
const BASE = 0x7f0000000000;
const RUN = 32;

let agent: Agent;
let app: FastifyInstance;
beforeEach(async () => {
  agent = new Agent({ node: "edge1", tier: "edge", selfUrl: "http://127.0.0.1:7701", workRoot: "/tmp/fmmet-agent-unused" }, CAPS);
  app = await buildApp(agent);
});
afterEach(() => app.close());

const scrape = async () => parseExposition((await app.inject({ method: "GET", url: "/metrics" })).body);

/** One task's RUN lazy pages, in memory. */
const source: PageSource = {
  lazyRuns: new Map([[1, [{ vaddr: BASE, nrPages: RUN }]]]),
  available: (pid, vaddr, nr) => (pid === 1 ? Math.min(nr, RUN - (vaddr - BASE) / PAGE_SIZE) : 0),
  read: async (_pid, _vaddr, nr) => Buffer.alloc(nr * PAGE_SIZE),
  close: async () => {},
};

describe("agent GET /metrics", () => {
  it("exports its names with their types", async () => {
    const m = await scrape();
    expect(m.types.get(AGENT_METRICS.pages)).toBe("counter");
    expect(m.types.get(AGENT_METRICS.transferBytes)).toBe("counter");
    expect(m.types.get(AGENT_METRICS.migrations)).toBe("counter");
    expect(m.types.get(HTTP_DURATION)).toBe("histogram");
    expect(m.types.get("nodejs_eventloop_lag_seconds")).toBe("gauge");
  });

  it("the page server's replies count as pages served on a fault and fetched in the background", async () => {
    const server = await startPageServer({ source, host: "127.0.0.1", port: 0, layout: "4.1", onServed: (kind, n) => agent.metrics.pagesServed(kind, n) });
    const sock = connect(server.port, "127.0.0.1");
    await once(sock, "connect");
    let got = 0;
    sock.on("data", (c: Buffer) => (got += c.length));
    sock.write(encodeHeader({ cmd: PS_IOV_GET, nrPages: 1, vaddr: BASE + 5 * PAGE_SIZE, dstId: 1 }, "4.1"));
    while (got < HEADER_BYTES["4.1"] + PAGE_SIZE) await new Promise((r) => setTimeout(r, 2));
    let m = await scrape();
    expect(sampleValue(m, AGENT_METRICS.pages, { served: "fault" })).toBe(1);
    expect(sampleValue(m, AGENT_METRICS.pages, { served: "fetched" })).toBe(0);
    sock.write(encodeHeader({ cmd: PS_IOV_GET, nrPages: 5, vaddr: BASE + 10 * PAGE_SIZE, dstId: 1 }, "4.1"));
    sock.write(encodeHeader({ cmd: PS_IOV_CLOSE, nrPages: 0, vaddr: 0, dstId: 0 }, "4.1"));
    await server.done;
    sock.destroy();
    m = await scrape();
    expect(sampleValue(m, AGENT_METRICS.pages, { served: "fault" })).toBe(1);
    expect(sampleValue(m, AGENT_METRICS.pages, { served: "fetched" })).toBe(5);
  });

  it("bytes sent count by phase, and ended migrations by outcome", async () => {
    agent.metrics.bytesSent("before-resume", 4096);
    agent.metrics.bytesSent("after-resume", 100);
    agent.metrics.migrationEnded("failed", "postcopy");
    const m = await scrape();
    expect(sampleValue(m, AGENT_METRICS.transferBytes, { phase: "before-resume" })).toBe(4096);
    expect(sampleValue(m, AGENT_METRICS.transferBytes, { phase: "after-resume" })).toBe(100);
    expect(sampleValue(m, AGENT_METRICS.migrations, { outcome: "failed", strategy: "postcopy" })).toBe(1);
  });
});

describe("agent logs", () => {
  it("a migration's calls, made under its id (as the scheduler's manager makes them), are logged under it and served at GET /v1/logs", async () => {
    await app.listen({ host: "127.0.0.1", port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const client = new AgentClient(url, { node: "edge1" });
    // No such workload: the agent refuses, and still logs the call under the migration's id.
    await withCorrelation("m-5", () => client.startMigration({ workload: "w-none", destination: "http://127.0.0.1:7702" })).catch(() => undefined);
    await withCorrelation("m-6", async () => agent.log("a line of another migration"));
    const logs = await client.logs("m-5");
    expect(logs.service).toBe("agent edge1");
    expect(logs.lines).toEqual([expect.objectContaining({ reqId: "m-5", level: "info", msg: expect.stringMatching(/^POST \/v1\/migrations 4\d\d$/) })]);
    expect((await client.logs("m-6")).lines).toEqual([expect.objectContaining({ correlation: "m-6", msg: "a line of another migration" })]);
  });
});
