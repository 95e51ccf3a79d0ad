// Migration-aware admission (rule 3) with exact expected decisions. Model m/x is
// power a=100, b=-1: a request's share is 100 / (budget - netDelay) cores, so its
// predicted latency uses up its budget and any frozen time makes requests late.
import { describe, expect, it } from "vitest";
import { downtimeTable, lateRequests } from "../../../../scheduler/placement/downtime.js";
import { createPolicy } from "../../../../scheduler/placement/policies.js";
import type { NodeSpec, PlacementPolicy, TaskRequest } from "../../../../scheduler/placement/types.js";

const models = { "m/x": { kind: "power" as const, a: 100, b: -1 } };
const edge = (name: string): NodeSpec => ({ name, tier: "edge", cpus: 1, netDelayMs: 0 });
const cloud1: NodeSpec = { name: "cloud1", tier: "cloud", cpus: 4, netDelayMs: 50 };

function req(id: string, delayBudgetMs: number, requestsPerSec?: number): TaskRequest {
  const r: TaskRequest = { id, device: "iot1", workload: "m", inputClass: "x", delayBudgetMs };
  if (requestsPerSec !== undefined) r.requestsPerSec = requestsPerSec;
  return r;
}

/**
 * edgeA: "busy" (0.1 cores, 20 requests/s) and "pinA" (0.834 cores, 120 ms: the cloud's 50 ms
 * leave 70 ms, too little, so it cannot move); edgeB: "quiet" (0.1 cores, no known rate) and
 * "pinB" alike. Neither node has room for another 0.1 core: one move frees either.
 */
function loaded(opts: { downtime?: boolean; quietRate?: number }): PlacementPolicy {
  const p = createPolicy("delay-aware", {
    nodes: [edge("edgeA"), edge("edgeB"), cloud1],
    models,
    ...(opts.downtime ? { downtime: downtimeTable({ m: { frozenMs: 500, workingSetMiB: 64 } }) } : {}),
  });
  expect(p.place(req("busy", 1000, 20))).toMatchObject({ node: "edgeA", case: 1 });
  expect(p.place(req("pinA", 120))).toMatchObject({ node: "edgeA", case: 1 });
  expect(p.place(req("quiet", 1000, opts.quietRate))).toMatchObject({ node: "edgeB", case: 1 });
  expect(p.place(req("pinB", 120))).toMatchObject({ node: "edgeB", case: 1 });
  return p;
}

describe("migration-aware admission", () => {
  it("without a downtime model, moves the least important request (placed earliest): busy", () => {
    const d = loaded({}).place(req("r", 1000));
    expect(d).toEqual({
      request: "r",
      node: "edgeA",
      case: 3,
      cpuShare: 0.1,
      predictedDelayMs: 1000,
      migrations: [{ request: "busy", from: "edgeA", to: "cloud1", cpuShare: 0.106 }],
    });
  });

  it("leaves out a request whose budget cannot absorb the downtime when another frees a node", () => {
    const d = loaded({ downtime: true }).place(req("r", 1000));
    // busy: 20/s x 500 ms past a 0 ms slack = 10 late requests; quiet has no rate: none.
    expect(d).toEqual({
      request: "r",
      node: "edgeB",
      case: 3,
      cpuShare: 0.1,
      predictedDelayMs: 1000,
      migrations: [{ request: "quiet", from: "edgeB", to: "cloud1", cpuShare: 0.106, lateRequests: 0, movedMiB: 64 }],
    });
  });

  it("moves such a request when no other frees a node, and counts its late requests", () => {
    const d = loaded({ downtime: true, quietRate: 4 }).place(req("r", 1000));
    // Both would make requests late: the rule as without a model (busy, placed earliest), 10 late.
    expect(d).toEqual({
      request: "r",
      node: "edgeA",
      case: 3,
      cpuShare: 0.1,
      predictedDelayMs: 1000,
      migrations: [{ request: "busy", from: "edgeA", to: "cloud1", cpuShare: 0.106, lateRequests: 10, movedMiB: 64 }],
    });
  });

  it("counts only the part of the frozen window past the slack", () => {
    const model = models["m/x"];
    // 0.2 cores: 500 ms predicted, 1000 ms budget, 10 ms away: 490 ms slack; 800 ms frozen, 10/s.
    expect(lateRequests(req("a", 1000, 10), model, 200, 10, 800)).toBeCloseTo(3.1, 9);
    expect(lateRequests(req("a", 1000, 10), model, 200, 10, 490)).toBe(0);
    expect(lateRequests(req("a", 1000), model, 200, 10, 800)).toBe(0);
    expect(downtimeTable({ "*": { frozenMs: 5 } }).estimate(req("a", 1))).toEqual({ frozenMs: 5 });
    expect(downtimeTable({ n: { frozenMs: 5 } }).estimate(req("a", 1))).toBeUndefined();
  });
});
