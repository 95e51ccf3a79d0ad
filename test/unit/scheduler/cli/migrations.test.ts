// `fleximigrate migrations` against an in-process scheduler whose one move
// ran through the manager with fake agents.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SchedulerApp } from "../../../../scheduler/service/app.js";
import { renderMigration, renderMigrations } from "../../../../scheduler/cli/migrations.js";
import { runCli } from "../../../helpers/cli.js";
import { FakeProber } from "../migration/fakes.js";
import { CLOUD, EDGE, fakeAgents, LOOSE, makeApp, TIGHT } from "../service/helpers.js";

let app: SchedulerApp;
let base: string;
beforeAll(async () => {
  app = await makeApp([EDGE, { ...CLOUD, endpoint: "http://127.0.0.1:7703" }], { agents: fakeAgents().directory, prober: new FakeProber([]), limits: { pollMs: 1 } });
  await app.inject({ method: "POST", url: "/v1/tasks", payload: LOOSE });
  await app.inject({ method: "POST", url: "/v1/tasks", payload: TIGHT });
  await (app.scheduler.executor as unknown as { manager: { idle(): Promise<void> } }).manager.idle();
  base = await app.listen({ port: 0, host: "127.0.0.1" });
});
afterAll(() => app.close());

describe("fleximigrate migrations", () => {
  it("lists moves as a table, and as the API's JSON with --json", async () => {
    const table = await runCli(["migrations", "--scheduler", base]);
    expect(table.code).toBe(0);
    expect(table.stdout.split("\n")[0]).toMatch(/^ID\s+TASK\s+FROM\s+TO\s+STATE\s+STRATEGY\s+TOTAL MS\s+FROZEN MS\s+ERROR/);
    expect(table.stdout).toMatch(/^m-1\s+t-1\s+edge1\s+cloud1\s+COMPLETED\s+postcopy/m);
    const json = await runCli(["migrations", "--scheduler", base, "--json"]);
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ id: "m-1", state: "COMPLETED" })]);
  });

  it("shows one move's timeline, metrics and log", async () => {
    const out = await runCli(["migrations", "show", "m-1", "--scheduler", base]);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^m-1: task t-1 edge1 -> cloud1/);
    expect(out.stdout).toMatch(/^Timeline$/m);
    expect(out.stdout).toMatch(/^decisionToAgentStartMs\s+\d/m);
    // No controller in this scheduler: no redirect, so no resume-to-redirect time (shown as -).
    expect(out.stdout).toMatch(/^resumeToRedirectMs\s+-$/m);
    expect(out.stdout).toContain("INFO [MigrationManager]: Final State: COMPLETED");
    const missing = await runCli(["migrations", "show", "m-9", "--scheduler", base]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no migration 'm-9'/);
  });

  it("renders a move that was only recorded", () => {
    const rec = { id: "m-1", task: { ...LOOSE, id: "t-1" }, from: "a", to: "b", cpuShare: 1, status: "requested" as const, requestedAt: "2026-01-01T00:00:00Z" };
    expect(renderMigrations([rec])).toMatch(/^m-1\s+t-1\s+a\s+b\s+requested/m);
    expect(renderMigration(rec)).toContain("(none: this move was only recorded)");
    expect(renderMigration(rec)).not.toContain("policy:");
    const decided = { ...rec, policy: { decidedBy: "p", allow: true, reason: "policy p (priority 1) allows the move: x > 1 holds (x=2)", priority: "high" as const, gradualRedirect: false, notify: [], constraints: {} } };
    expect(renderMigration(decided)).toContain("\npolicy: policy p (priority 1) allows the move: x > 1 holds (x=2)\n");
    expect(renderMigrations([])).toBe("(no migrations)\n");
  });
});
