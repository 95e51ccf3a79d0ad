// The baseline policies on a two-node cluster: exact choices, their capacity
// checks, and best effort (one full core) when a budget cannot be met.
// Model m/x is power a=100, b=-1: share = 100 / (budget - netDelay).
import { describe, expect, it } from "vitest";
import { createPolicy, POLICY_NAMES, type PolicyName } from "../../../../scheduler/placement/policies.js";
import type { NodeSpec, TaskRequest } from "../../../../scheduler/placement/types.js";

const models = { "m/x": { kind: "power" as const, a: 100, b: -1 } };
const req = (id: string, delayBudgetMs: number): TaskRequest => ({ id, device: "d", workload: "m", inputClass: "x", delayBudgetMs });
const nodes: NodeSpec[] = [
  { name: "edgeA", tier: "edge", cpus: 1, netDelayMs: 0 },
  { name: "cloud1", tier: "cloud", cpus: 4, netDelayMs: 50 },
];
const make = (name: PolicyName, seed?: number) => createPolicy(name, { nodes, models, seed });

describe("baseline policies", () => {
  it("least-loaded: the least used node of either tier, ties by name, best effort when infeasible", () => {
    const p = make("least-loaded");
    expect(p.place(req("r1", 200))).toEqual({ request: "r1", node: "cloud1", cpuShare: 0.667, predictedDelayMs: expect.closeTo(149.93, 2), migrations: [] });
    expect(p.place(req("r2", 200))).toMatchObject({ node: "edgeA", cpuShare: 0.5 });
    // 60 ms cannot be met anywhere: one full core on the least used node that has it free.
    expect(p.place(req("r3", 60))).toMatchObject({ node: "cloud1", cpuShare: 1, predictedDelayMs: 100 });
  });

  it("round-robin: nodes in name order, skipping those without room", () => {
    const p = make("round-robin");
    expect([1, 2, 3].map((i) => p.place(req(`r${i}`, 200)).node)).toEqual(["cloud1", "edgeA", "cloud1"]);
    // edgeA holds 0.5: a request needing 0.667 there skips it.
    expect(p.place(req("r4", 150)).node).toBe("cloud1");
  });

  it("random: seeded and repeatable, only nodes with room", () => {
    const run = (seed: number) => {
      const p = make("random", seed);
      return Array.from({ length: 40 }, (_, i) => p.place(req(`r${i}`, 1000)).node);
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
    expect(new Set(run(5))).toEqual(new Set(["edgeA", "cloud1"]));
    const p = make("random", 1);
    p.place(req("big1", 150)); // 0.667 wherever it lands
    for (let i = 0; i < 5; i++) p.place(req(`big${i + 2}`, 150));
    // edgeA fits at most one such request.
    expect(p.nodes().find((n) => n.name === "edgeA")!.usedCpus).toBeLessThanOrEqual(1);
  });

  it("edge-first: the first edge node by name where the budget is met, else the cloud, never best effort", () => {
    const p = createPolicy("edge-first", { nodes: [...nodes, { name: "edgeB", tier: "edge", cpus: 1, netDelayMs: 0 }], models });
    expect(p.place(req("r1", 200))).toMatchObject({ node: "edgeA", cpuShare: 0.5 });
    expect(p.place(req("r2", 200))).toMatchObject({ node: "edgeA", cpuShare: 0.5 });
    expect(p.place(req("r3", 200))).toMatchObject({ node: "edgeB" });
    expect(p.place(req("r4", 200))).toMatchObject({ node: "edgeB" });
    expect(p.place(req("r5", 200))).toMatchObject({ node: "cloud1", cpuShare: 0.667, migrations: [] });
    expect(p.place(req("r6", 60))).toMatchObject({ node: null, reason: expect.stringMatching(/cannot be met on any node/) });
  });

  it("every policy refuses unknown classes and duplicates without throwing, and never moves", () => {
    for (const name of POLICY_NAMES) {
      const p = make(name);
      expect(p.name).toBe(name);
      expect(p.place({ ...req("r1", 500), workload: "nope" })).toMatchObject({ node: null, reason: "unknown model class 'nope/x'" });
      expect(p.place(req("r1", 500)).node).not.toBeNull();
      expect(p.place(req("r1", 500))).toMatchObject({ node: null, reason: "request 'r1' is already placed" });
    }
  });

  it("refuses when no node has the free CPU", () => {
    const p = make("least-loaded");
    for (let i = 0; i < 5; i++) p.place(req(`r${i}`, 60)); // one full core each
    // Budget-blind: it wants one full core (best effort), which nobody has left.
    expect(p.place(req("r9", 60))).toMatchObject({ node: null, reason: "no node has enough free CPU (needs 1 cores at 0 ms network delay)" });
    expect(p.place(req("r10", 1000))).toMatchObject({ node: null, reason: "no node has enough free CPU (needs 0.1 cores at 0 ms network delay)" });
  });
});
