// `fleximigrate logs MIGRATION_ID` against an in-process scheduler whose move
// ran through the manager (fake agents at its boundary), two real agent apps
// at the move's endpoints and a real controller, each of which was called
// under the move's id; then the merge and rendering as pure functions.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createController, type RunningController } from "../../../../controller/app.js";
import { Agent } from "../../../../edge-agent/service/agent.js";
import { buildApp } from "../../../../edge-agent/service/app.js";
import { mergeLogs, renderLogs } from "../../../../scheduler/cli/logs.js";
import type { SchedulerApp } from "../../../../scheduler/service/app.js";
import type { LogLine } from "../../../../src/api-types/logs.js";
import { runCli } from "../../../helpers/cli.js";
import { FakeProber } from "../migration/fakes.js";
import { CLOUD, EDGE, fakeAgents, LOOSE, makeApp, TIGHT } from "../service/helpers.js";

const PORTS = { edge: 26101, cloud: 26103, controller: 26181, nothing: 26199 };
const CAPS = { criu: { present: false, checkOk: false, features: {} }, docker: { present: false }, cgroupCpu: { ok: false, error: "test" }, strategies: {} };

let scheduler: SchedulerApp;
let base: string;
const agentApps: FastifyInstance[] = [];
let controller: RunningController;

beforeAll(async () => {
  for (const [node, port] of [
    ["edge1", PORTS.edge],
    ["cloud1", PORTS.cloud],
  ] as const) {
    const app = await buildApp(new Agent({ node, tier: "edge", selfUrl: `http://127.0.0.1:${port}`, workRoot: "/tmp/fmmet-unused" }, CAPS));
    await app.listen({ host: "127.0.0.1", port });
    // What the manager's calls leave in an agent's log: requests carrying the move's id.
    await app.inject({ method: "POST", url: "/v1/migrations/am-1/commit", headers: { "x-request-id": "m-1" } });
    agentApps.push(app);
  }
  controller = await createController({ openflowPort: 0, httpPort: PORTS.controller, dnsPort: 0, ovsdb: "unix:/nonexistent/fmmet/db.sock" });
  await controller.http.inject({ method: "PUT", url: "/v1/dns/records/t-1", payload: { ip: "10.77.0.2" }, headers: { "x-request-id": "m-1" } });
  const edge = { ...EDGE, endpoint: `http://127.0.0.1:${PORTS.edge}` };
  const cloud = { ...CLOUD, endpoint: `http://127.0.0.1:${PORTS.cloud}` };
  scheduler = await makeApp([edge, cloud], { agents: fakeAgents().directory, prober: new FakeProber([]), limits: { pollMs: 1 } });
  await scheduler.inject({ method: "POST", url: "/v1/tasks", payload: LOOSE });
  await scheduler.inject({ method: "POST", url: "/v1/tasks", payload: TIGHT });
  await (scheduler.scheduler.executor as unknown as { manager: { idle(): Promise<void> } }).manager.idle();
  base = await scheduler.listen({ port: 0, host: "127.0.0.1" });
});

afterAll(async () => {
  await scheduler?.close();
  for (const a of agentApps) await a.close();
  await controller?.close();
});

describe("fleximigrate logs", () => {
  it("gathers the move's lines from the scheduler, both agents and the controller, in time order", async () => {
    const run = await runCli(["logs", "m-1", "--scheduler", base, "--controller", `http://127.0.0.1:${PORTS.controller}`, "--json"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines: LogLine[] = JSON.parse(run.stdout);
    expect(new Set(lines.map((l) => l.service))).toEqual(new Set(["scheduler", "agent edge1", "agent cloud1", "controller"]));
    const times = lines.map((l) => Date.parse(l.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(lines.some((l) => l.service === "scheduler" && l.msg.endsWith("Transitioning: VERIFICATION -> COMPLETED"))).toBe(true);
    expect(lines.find((l) => l.service === "controller")).toMatchObject({ reqId: "m-1", msg: "PUT /v1/dns/records/t-1 201" });

    const text = await runCli(["logs", "m-1", "--scheduler", base, "--controller", `http://127.0.0.1:${PORTS.controller}`]);
    expect(text.stdout).toMatch(/^\S+Z {2}scheduler\s+INFO\s+INFO \[MigrationManager\]: Move of t-1 edge1 -> cloud1 requested/m);
    expect(text.stdout).toMatch(/agent edge1\s+INFO\s+POST \/v1\/migrations\/am-1\/commit 404 \(POST \/v1\/migrations\/:id\/commit 404\)/);
  });

  it("leaves out a service that cannot be reached, saying so; an unknown move or a bad id is an error", async () => {
    const run = await runCli(["logs", "m-1", "--scheduler", base, "--controller", `http://127.0.0.1:${PORTS.nothing}`]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^logs: controller \(http:\/\/127\.0\.0\.1:26199\): .*(unreachable|cannot reach|ECONNREFUSED).*; its lines are left out$/m);
    expect(run.stdout).toContain("agent cloud1");
    const unknown = await runCli(["logs", "m-9", "--scheduler", base]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/m-9/);
    const bad = await runCli(["logs", "m 1", "--scheduler", base]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a migration id/);
  });
});

describe("mergeLogs and renderLogs", () => {
  const line = (service: string, at: string, msg: string): LogLine => ({ at, level: "info", service, msg });

  it("merges by time, keeping each service's order on a tie", () => {
    const merged = mergeLogs([
      { service: "a", truncated: false, lines: [line("a", "2026-01-01T00:00:01.000Z", "a1"), line("a", "2026-01-01T00:00:03.000Z", "a2")] },
      { service: "b", truncated: false, lines: [line("b", "2026-01-01T00:00:01.000Z", "b1"), line("b", "2026-01-01T00:00:02.000Z", "b2")] },
    ]);
    expect(merged.map((l) => l.msg)).toEqual(["a1", "b1", "b2", "a2"]);
  });

  it("renders one aligned line each, and says when there is nothing", () => {
    expect(renderLogs([line("scheduler", "2026-01-01T00:00:01.000Z", "x"), line("agent e1", "2026-01-01T00:00:02.000Z", "y")])).toBe(
      "2026-01-01T00:00:01.000Z  scheduler  INFO   x\n2026-01-01T00:00:02.000Z  agent e1   INFO   y\n",
    );
    expect(renderLogs([])).toMatch(/^\(no lines/);
  });
});
