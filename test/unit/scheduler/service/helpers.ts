// A scheduler app over the real delay-aware policy and a small fixed cluster:
// one edge node of one core and a cloud node 55 ms farther away.
import { createPolicy } from "../../../../scheduler/placement/policies.js";
import type { ModelTable, NodeSpec } from "../../../../scheduler/placement/types.js";
import { buildSchedulerApp, type SchedulerApp, type SchedulerAppOptions } from "../../../../scheduler/service/app.js";
import { FakeAgent } from "../migration/fakes.js";

/** detect/small: 900*exp(-2.1*share) ms, i.e. 110 ms on one core. */
export const MODELS: ModelTable = { "detect/small": { kind: "exponential", a: 900, b: -2.1 } };

export const EDGE: NodeSpec = { name: "edge1", tier: "edge", cpus: 1, netDelayMs: 5, endpoint: "http://127.0.0.1:7701" };
export const CLOUD: NodeSpec = { name: "cloud1", tier: "cloud", cpus: 8, netDelayMs: 60 };

/** Fits the edge (0.59 cores there) and the cloud (0.70 cores there). */
export const LOOSE = { device: "cam-1", workload: "detect", inputClass: "small", delayBudgetMs: 266, priority: 1 };
/** Too tight for the cloud; needs 0.9 cores on the edge. */
export const TIGHT = { device: "robot-1", workload: "detect", inputClass: "small", delayBudgetMs: 142, priority: 5 };

/** Fake agents by endpoint (created on first use), recording their calls in `calls`. */
export function fakeAgents(calls: string[] = []): { calls: string[]; at: Map<string, FakeAgent>; directory: SchedulerAppOptions["agents"] & object } {
  const at = new Map<string, FakeAgent>();
  return {
    calls,
    at,
    directory: (endpoint, node) => {
      let a = at.get(endpoint);
      if (!a) {
        a = new FakeAgent(node, calls);
        at.set(endpoint, a);
      }
      return a;
    },
  };
}

export async function makeApp(nodes: NodeSpec[] = [EDGE, CLOUD], over: Partial<SchedulerAppOptions> = {}): Promise<SchedulerApp> {
  return buildSchedulerApp({ policy: createPolicy("delay-aware", { nodes, models: MODELS }), models: MODELS, agents: fakeAgents().directory, ...over });
}

/** Everything a client can observe, to check that a rejected request changed nothing. */
export async function snapshot(app: SchedulerApp): Promise<unknown> {
  const get = async (url: string) => (await app.inject({ method: "GET", url })).json();
  return {
    nodes: await get("/v1/nodes"),
    placements: await get("/v1/placements"),
    devices: await get("/v1/devices"),
    migrations: await get("/v1/migrations"),
  };
}
