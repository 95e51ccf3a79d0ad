// The scheduler's GET /metrics: the names and types it exports, and counters
// that move when their event happens (a placement by its rule, a refusal by
// its code, a move reaching its final state with its downtime and
// reconfiguration time); and its structured log: a move's FlexiMigrate lines
// carry its id, and every call the move makes to the agents runs under it as
// the correlation id (what the typed clients send as x-request-id).
import { afterEach, describe, expect, it } from "vitest";
import type { MigrationInput, MigrationView } from "../../../../src/api-types/agent.js";
import { currentCorrelation } from "../../../../src/http/correlation.js";
import { HTTP_DURATION } from "../../../../src/metrics/http-metrics.js";
import type { SchedulerApp } from "../../../../scheduler/service/app.js";
import { SCHEDULER_METRICS } from "../../../../scheduler/service/metrics.js";
import { parseExposition, sampleValue } from "../../../helpers/prometheus.js";
import { FakeAgent, FakeNetwork, FakeProber } from "../migration/fakes.js";
import { CLOUD, EDGE, LOOSE, makeApp, TIGHT } from "./helpers.js";

let app: SchedulerApp;
afterEach(() => app?.close());

const CLOUD_AGENT = { ...CLOUD, endpoint: "http://127.0.0.1:7703" };
const post = (payload: object) => app.inject({ method: "POST", url: "/v1/tasks", payload });
const scrape = async () => parseExposition((await app.inject({ method: "GET", url: "/metrics" })).body);
const idle = () => (app.scheduler.executor as unknown as { manager: { idle(): Promise<void> } }).manager.idle();

/** Fake agents that note the correlation id each call to them ran under. */
function correlatedAgents() {
  const seen: string[] = [];
  const calls: string[] = [];
  const at = new Map<string, FakeAgent>();
  const directory = (endpoint: string, node: string) => {
    let a = at.get(endpoint);
    if (!a) {
      a = new (class extends FakeAgent {
        override async startMigration(input: MigrationInput): Promise<MigrationView> {
          seen.push(`${node}.startMigration ${currentCorrelation()}`);
          return super.startMigration(input);
        }
        override async commitMigration(id: string): Promise<MigrationView> {
          seen.push(`${node}.commitMigration ${currentCorrelation()}`);
          return super.commitMigration(id);
        }
      })(node, calls);
      at.set(endpoint, a);
    }
    return a;
  };
  /** The edge's move resumes on the cloud agent (it then holds the workload, with a bridge port for the redirect). */
  const pair = () => {
    directory(EDGE.endpoint!, "edge1").peer = directory(CLOUD_AGENT.endpoint, "cloud1");
  };
  return { seen, directory, pair };
}

describe("scheduler GET /metrics", () => {
  it("exports its names with their types", async () => {
    app = await makeApp();
    const m = await scrape();
    expect(m.types.get(SCHEDULER_METRICS.decisions)).toBe("counter");
    expect(m.types.get(SCHEDULER_METRICS.refusals)).toBe("counter");
    expect(m.types.get(SCHEDULER_METRICS.migrations)).toBe("counter");
    expect(m.types.get(SCHEDULER_METRICS.downtime)).toBe("histogram");
    expect(m.types.get(SCHEDULER_METRICS.reconfiguration)).toBe("histogram");
    expect(m.types.get(HTTP_DURATION)).toBe("histogram");
    expect(m.types.get("process_cpu_seconds_total")).toBe("counter");
  });

  it("a placement counts under its rule and the policy; a refusal under its code; API calls under their route", async () => {
    app = await makeApp();
    expect((await post(LOOSE)).json().case).toBe(1);
    expect((await post({ ...LOOSE, delayBudgetMs: 50 })).statusCode).toBe(409);
    expect((await post({ ...LOOSE, id: "t-1" })).statusCode).toBe(409);
    const m = await scrape();
    expect(sampleValue(m, SCHEDULER_METRICS.decisions, { case: "1", policy: "delay-aware" })).toBe(1);
    expect(sampleValue(m, SCHEDULER_METRICS.refusals, { reason: "budget_infeasible", policy: "delay-aware" })).toBe(1);
    expect(sampleValue(m, SCHEDULER_METRICS.refusals, { reason: "duplicate_id", policy: "delay-aware" })).toBe(1);
    expect(sampleValue(m, `${HTTP_DURATION}_count`, { method: "POST", route: "/v1/tasks", status_code: "409" })).toBe(2);
  });

  it("a move to COMPLETED counts by state and strategy, with its downtime and reconfiguration observed", async () => {
    const agents = correlatedAgents();
    app = await makeApp([EDGE, CLOUD_AGENT], { agents: agents.directory, network: new FakeNetwork([]), prober: new FakeProber([]), limits: { pollMs: 1 } });
    agents.pair();
    const metrics = { strategy: "postcopy" as const, reason: "test", totalMs: 900, downtimeMs: 120, bytesBeforeResume: 1, bytesAfterResume: 2, pagesOnFault: 3, pagesPushed: 4 };
    agents.directory(EDGE.endpoint!, "edge1").script = [{ phase: "transferring" }, { phase: "awaiting-commit", resumedAt: "2026-01-01T00:00:01Z", metrics }];
    await post(LOOSE);
    expect((await post(TIGHT)).json().case).toBe(3);
    await idle();
    const m = await scrape();
    expect(sampleValue(m, SCHEDULER_METRICS.decisions, { case: "3" })).toBe(1);
    expect(sampleValue(m, SCHEDULER_METRICS.migrations, { state: "COMPLETED", strategy: "postcopy" })).toBe(1);
    expect(sampleValue(m, `${SCHEDULER_METRICS.downtime}_count`, { strategy: "postcopy" })).toBe(1);
    expect(sampleValue(m, `${SCHEDULER_METRICS.downtime}_sum`, { strategy: "postcopy" })).toBeCloseTo(0.12);
    expect(sampleValue(m, `${SCHEDULER_METRICS.downtime}_bucket`, { strategy: "postcopy", le: "0.1" })).toBe(0);
    expect(sampleValue(m, `${SCHEDULER_METRICS.downtime}_bucket`, { strategy: "postcopy", le: "0.25" })).toBe(1);
    expect(sampleValue(m, `${SCHEDULER_METRICS.reconfiguration}_count`, { strategy: "postcopy" })).toBe(1);
  });

  it("a failed move counts as FAILED", async () => {
    const agents = correlatedAgents();
    app = await makeApp([EDGE, CLOUD_AGENT], { agents: agents.directory, prober: new FakeProber([]), limits: { pollMs: 1 } });
    agents.directory(EDGE.endpoint!, "edge1").script = [{ phase: "failed", status: "failed", error: "dump failed" }];
    await post(LOOSE);
    expect(sampleValue(await scrape(), SCHEDULER_METRICS.migrations, { state: "FAILED" })).toBe(0);
    await post(TIGHT);
    await idle();
    const m = await scrape();
    expect(m.samples.filter((s) => s.name === SCHEDULER_METRICS.migrations).map((s) => [s.labels, s.value])).toEqual([[{ state: "FAILED", strategy: "postcopy" }, 1]]);
    expect(sampleValue(m, SCHEDULER_METRICS.migrations, { state: "COMPLETED" })).toBe(0);
    expect(sampleValue(m, `${SCHEDULER_METRICS.downtime}_count`)).toBe(0);
  });
});

describe("scheduler logs: a move's id follows it", () => {
  it("its FlexiMigrate lines carry the id, and its calls to both agents run under it as the correlation id", async () => {
    const agents = correlatedAgents();
    app = await makeApp([EDGE, CLOUD_AGENT], { agents: agents.directory, network: new FakeNetwork([]), prober: new FakeProber([]), limits: { pollMs: 1 } });
    agents.pair();
    await post(LOOSE);
    await post(TIGHT);
    await idle();
    expect(agents.seen).toEqual(["edge1.startMigration m-1", "edge1.commitMigration m-1"]);
    const logs = (await app.inject({ method: "GET", url: "/v1/logs?migration=m-1" })).json();
    expect(logs.service).toBe("scheduler");
    const transitions = logs.lines.filter((l: { msg: string }) => l.msg.includes("Transitioning:"));
    expect(transitions.map((l: { msg: string }) => l.msg.replace(/^.* - /, ""))).toEqual([
      "Transitioning: PENDING -> PLANNING",
      "Transitioning: PLANNING -> PREPARATION",
      "Transitioning: PREPARATION -> EXECUTION",
      "Transitioning: EXECUTION -> VERIFICATION",
      "Transitioning: VERIFICATION -> COMPLETED",
    ]);
    expect(transitions[0]).toMatchObject({ migration: "m-1", level: "info", fields: { component: "MigrationManager" } });
    expect(logs.lines.at(-1).msg).toBe("INFO [MigrationManager]: Final State: COMPLETED");
    // Lines in time order.
    const times = logs.lines.map((l: { at: string }) => Date.parse(l.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });
});
