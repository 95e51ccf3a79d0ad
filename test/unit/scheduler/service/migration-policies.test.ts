// Migration policies in the service: the context comes from the node's
// reported CPU and the task's serviceType; the decision shows on
// GET /v1/migrations/:id and a notify goes out on /v1/events.
import { afterEach, describe, expect, it } from "vitest";
import type { SchedulerApp } from "../../../../scheduler/service/app.js";
import { loadPolicies } from "../../../../scheduler/policy/loader.js";
import { FakeProber } from "../migration/fakes.js";
import { CLOUD, EDGE, fakeAgents, LOOSE, makeApp, TIGHT } from "./helpers.js";

let app: SchedulerApp;
afterEach(() => app?.close());

const FILE = `
policies:
  - policy_name: critical_off_busy_edge
    CONTEXT: [service_type, source_cpu_utilization]
    CONDITIONS: service_type == "critical" and source_cpu_utilization > 50
    ACTIONS: [allow_migration, 'notify("moving a critical service off a busy edge")', require_strategy("precopy")]
    PRIORITY: 1
default: deny
`;

const report = (usage: number) => ({ cpu: { usage, cores: 4 }, memory: { total: 8e9, used: 1e9 }, load: [0.5], workloads: [], capabilities: {} });

async function start() {
  app = await makeApp([EDGE, { ...CLOUD, endpoint: "http://127.0.0.1:7703" }], {
    agents: fakeAgents().directory,
    prober: new FakeProber([]),
    limits: { pollMs: 1 },
    policies: { set: loadPolicies(FILE, "p.yaml"), file: "p.yaml" },
  });
  const events: Array<Record<string, unknown>> = [];
  app.scheduler.events.subscribe((e) => events.push(e as unknown as Record<string, unknown>));
  return events;
}

const settle = () => (app.scheduler.executor as unknown as { manager: { idle(): Promise<void> } }).manager.idle();

describe("scheduler with migration policies", () => {
  it("a matching policy allows the move, requires its strategy and notifies on /v1/events", async () => {
    const events = await start();
    expect((await app.inject({ method: "PUT", url: "/v1/nodes/edge1/report", payload: report(0.8) })).statusCode).toBe(200);
    await app.inject({ method: "POST", url: "/v1/tasks", payload: { ...LOOSE, serviceType: "critical" } });
    expect((await app.inject({ method: "POST", url: "/v1/tasks", payload: TIGHT })).json().case).toBe(3);
    await settle();
    const m = (await app.inject({ method: "GET", url: "/v1/migrations/m-1" })).json();
    expect(m).toMatchObject({
      state: "COMPLETED",
      strategy: "precopy",
      policy: { decidedBy: "critical_off_busy_edge", allow: true, requireStrategy: "precopy", notify: ["moving a critical service off a busy edge"] },
    });
    expect(m.policy.reason).toBe('policy critical_off_busy_edge (priority 1) allows the move: service_type == "critical" and source_cpu_utilization > 50 holds (service_type="critical", source_cpu_utilization=80)');
    expect(events.filter((e) => e.type === "policy.notify")).toEqual([
      expect.objectContaining({ migration: "m-1", task: "t-1", from: "edge1", to: "cloud1", policy: "critical_off_busy_edge", message: "moving a critical service off a busy edge" }),
    ]);
  });

  it("no policy matching: the file's default (deny) decides, and the placement shows the source again", async () => {
    await start();
    await app.inject({ method: "PUT", url: "/v1/nodes/edge1/report", payload: report(0.2) });
    await app.inject({ method: "POST", url: "/v1/tasks", payload: { ...LOOSE, serviceType: "critical" } });
    await app.inject({ method: "POST", url: "/v1/tasks", payload: TIGHT });
    await settle();
    const m = (await app.inject({ method: "GET", url: "/v1/migrations/m-1" })).json();
    expect(m).toMatchObject({ state: "FAILED", error: "no policy matched (1 tried): the default denies the move", policy: { decidedBy: null, allow: false } });
    const placements = (await app.inject({ method: "GET", url: "/v1/placements" })).json();
    expect(placements.find((p: { request: { id: string } }) => p.request.id === "t-1").node).toBe("edge1");
  });
});
