import { describe, expect, it } from "vitest";
import type { MoveRecord } from "../../../../src/api-types/scheduler.js";
import { buildPolicyContext } from "../../../../scheduler/migration/policy-context.js";
import { TASK } from "./fakes.js";

describe("policy context from live data", () => {
  const move = {
    id: "m-1",
    task: { ...TASK, serviceType: "web", labels: { tier: "gold" } },
    from: "edge1",
    to: "cloud1",
    cpuShare: 1,
    status: "requested",
    requestedAt: "",
    requestedStrategy: "precopy",
  } as MoveRecord;

  it("fills only the names asked for, from reports, clock, task and move", async () => {
    const reports: Record<string, unknown> = {
      edge1: { cpu: { usage: 0.875, cores: 4 }, workloads: [{ id: "t-1", cpu: 0.1, memoryBytes: 64 * 1024 * 1024 }] },
      cloud1: { cpu: { usage: "bad" } },
    };
    let asked = 0;
    const ctx = await buildPolicyContext(move, new Set(["source_cpu_utilization", "destination_cpu_utilization", "time_of_day", "service_type", "labels", "migration_strategy", "migration_size_mb", "source_node", "workload"]), {
      now: () => new Date("2026-05-05T07:45:00Z"),
      report: (n) => reports[n] as never,
      congestion: async () => {
        asked++;
        return 0.3;
      },
    });
    expect(Object.fromEntries(ctx)).toEqual({
      source_cpu_utilization: 87.5,
      destination_cpu_utilization: undefined,
      time_of_day: 7.75,
      service_type: "web",
      labels: ["tier=gold"],
      migration_strategy: "precopy",
      migration_size_mb: 64,
      source_node: "edge1",
      workload: "detect",
    });
    expect(asked).toBe(0); // congestion not declared: the controller is not asked
    const withNet = await buildPolicyContext(move, new Set(["network_congestion_prob"]), { now: () => new Date(), report: () => undefined, congestion: async () => Promise.reject(new Error("down")) });
    expect(withNet.get("network_congestion_prob")).toBeUndefined();
  });
});
