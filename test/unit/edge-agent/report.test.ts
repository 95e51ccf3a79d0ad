// The agent registers with and reports to a scheduler (a local fake on
// loopback, port 0), and survives one that is down.
import Fastify from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import type { Capabilities } from "../../../edge-agent/migration/strategy.js";
import { startReporting } from "../../../edge-agent/report.js";
import { Agent } from "../../../edge-agent/service/agent.js";
import type { NodeRegistration } from "../../../src/api-types/scheduler.js";
import { proofProblem } from "../../../src/pca/proof.js";
import { testPca } from "../../helpers/pca.js";
import { waitFor } from "../../helpers/wait.js";

const caps: Capabilities = {
  criu: { present: false, checkOk: false, features: {} },
  docker: { present: false },
  cgroupCpu: { ok: false, error: "test" },
  strategies: {},
};
const stops: Array<() => void> = [];
afterEach(() => {
  for (const s of stops.splice(0)) s();
});

describe("scheduler reporting", () => {
  it("registers, then reports cpu, memory, load and workloads", async () => {
    const seen: Array<{ method: string; url: string; body: Record<string, unknown> }> = [];
    const app = Fastify();
    app.post("/v1/nodes", async (req) => {
      seen.push({ method: "POST", url: req.url, body: req.body as Record<string, unknown> });
      return { ok: true };
    });
    app.put("/v1/nodes/:name/report", async (req) => {
      seen.push({ method: "PUT", url: req.url, body: req.body as Record<string, unknown> });
      return { ok: true };
    });
    const url = await app.listen({ host: "127.0.0.1", port: 0 });
    const agent = new Agent({ node: "edge-1", tier: "edge", selfUrl: "http://127.0.0.1:7701", workRoot: "/tmp/unused" }, caps);
    stops.push(startReporting(agent, url, { intervalMs: 100, endpoint: "http://127.0.0.1:7701", netDelayMs: 5 }));
    await waitFor(() => seen.filter((s) => s.method === "PUT").length >= 2, { what: "two reports" });
    await app.close();
    expect(seen[0]).toMatchObject({ method: "POST", body: { name: "edge-1", tier: "edge", endpoint: "http://127.0.0.1:7701", netDelayMs: 5 } });
    const report = seen.find((s) => s.method === "PUT")!;
    expect(report.url).toBe("/v1/nodes/edge-1/report");
    expect(report.body).toMatchObject({ workloads: [], capabilities: { cgroupCpu: { ok: false } } });
    const body = report.body as { cpu: { cores: number }; memory: { total: number } };
    expect(body.cpu.cores).toBeGreaterThan(0);
    expect(body.memory.total).toBeGreaterThan(0);
    expect(seen.filter((s) => s.method === "POST")).toHaveLength(1);
  });

  it("presents the node's attribute certificate with its registration", async () => {
    const bodies: Array<Record<string, unknown>> = [];
    const app = Fastify();
    app.post("/v1/nodes", async (req) => {
      bodies.push(req.body as Record<string, unknown>);
      return { ok: true };
    });
    app.put("/v1/nodes/:name/report", async () => ({ ok: true }));
    const url = await app.listen({ host: "127.0.0.1", port: 0 });
    const identity = testPca().issueWithKey("edge-3");
    const agent = new Agent({ node: "edge-3", tier: "edge", selfUrl: "http://127.0.0.1:7703", workRoot: "/tmp/unused" }, caps);
    stops.push(startReporting(agent, url, { intervalMs: 100, endpoint: "http://127.0.0.1:7703", cpus: 2, identity }));
    await waitFor(() => bodies.length >= 1, { what: "the registration" });
    await app.close();
    const { proof, ...spec } = bodies[0] as unknown as NodeRegistration;
    expect(spec).toMatchObject({ name: "edge-3", attributeCert: identity.cert });
    // Signed by the certified node key, over what was sent: the scheduler's check passes, and fails for a changed spec.
    expect(proofProblem(spec, identity.cert, proof, new Date())).toBeUndefined();
    expect(proofProblem({ ...spec, endpoint: "http://evil:1" }, identity.cert, proof, new Date())).toMatch(/does not verify/);
  });

  it("keeps retrying an unreachable scheduler without throwing", async () => {
    const app = Fastify();
    const url = await app.listen({ host: "127.0.0.1", port: 0 });
    await app.close(); // nothing listens there now
    const lines: string[] = [];
    const agent = new Agent({ node: "edge-2", tier: "edge", selfUrl: "", workRoot: "/tmp/unused" }, caps);
    agent.log = (m) => lines.push(m);
    stops.push(startReporting(agent, url, { intervalMs: 100, endpoint: "" }));
    await waitFor(() => lines.length >= 2, { what: "two retry lines" });
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toMatch(/retry in 1000 ms/);
    expect(lines[1]).toMatch(/retry in 2000 ms/);
  }, 20_000);
});
