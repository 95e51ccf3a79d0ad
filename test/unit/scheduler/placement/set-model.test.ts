// policy.setModel: a refitted model serves the next decisions; what is placed keeps its share.
import { describe, expect, it } from "vitest";
import { createPolicy } from "../../../../scheduler/placement/policies.js";

const request = (id: string) => ({ id, device: "cam", workload: "detect", inputClass: "small", delayBudgetMs: 300 });

describe("PlacementPolicy.setModel", () => {
  it("serves the new model to new decisions and leaves placed requests alone", () => {
    const models = { "detect/small": { kind: "exponential" as const, a: 900, b: -2.1 } };
    const policy = createPolicy("delay-aware", { nodes: [{ name: "e1", tier: "edge", cpus: 4, netDelayMs: 5 }], models });
    const before = policy.place(request("t-1"));
    // Latency doubled: the same budget needs more CPU.
    policy.setModel("detect/small", { kind: "exponential", a: 1800, b: -2.1 });
    const after = policy.place(request("t-2"));
    expect(after.cpuShare!).toBeGreaterThan(before.cpuShare!);
    expect(after.predictedDelayMs!).toBeLessThanOrEqual(295 + 1e-9);
    expect(policy.placements().find((p) => p.request.id === "t-1")?.cpuShare).toBe(before.cpuShare);
  });

  it("adds a class the policy did not know", () => {
    const policy = createPolicy("delay-aware", { nodes: [{ name: "e1", tier: "edge", cpus: 4, netDelayMs: 5 }], models: {} });
    expect(policy.place(request("t-1")).reason).toMatch(/unknown model class/);
    policy.setModel("detect/small", { kind: "power", a: 100, b: -1 });
    expect(policy.place(request("t-1")).node).toBe("e1");
  });
});
