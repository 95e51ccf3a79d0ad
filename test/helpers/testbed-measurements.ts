// A small but complete set of testbed measurements, for the report's tests.
import type { Measurements } from "../../src/testbed/scenario/measurements.js";

export function sampleMeasurements(id = "20260101T000000-saturate-seed7", policy = "delay-aware"): Measurements {
  const startedAt = "2026-01-01T00:00:00.000Z";
  const at = (ms: number) => new Date(Date.parse(startedAt) + ms).toISOString();
  return {
    scenario: { name: "saturate", kind: "saturate", seed: 7, file: "saturate.yaml", description: "test" },
    run: { id, startedAt, finishedAt: at(60_000) },
    testbed: [{ policy, runStartedAt: startedAt, startupMs: 40_000, teardownMs: 1200, wan: [{ link: 1, site: "edge-a", configuredOneWayMs: 10, configuredRttMs: 20, rttMedianMs: 22.4, rttMinMs: 21.1, jitterMdevMs: 1.2, addedOverConfiguredMs: 2.4, samples: 40 }], delays: [{ node: "edge1", tier: "edge", registeredMs: 0.3 }] }],
    trace: [],
    requests: Array.from({ length: 40 }, (_, i) => ({ device: `cam-${(i % 2) + 1}`, task: `t${i % 2}`, t: i * 500, ok: true, latencyMs: 30 + (i % 7), budgetMs: 100, servedBy: i > 20 ? "cloud1" : "edge1", policy })),
    devices: [],
    migrations: [
      {
        id: "m1",
        task: "t1",
        from: "edge1",
        to: "cloud1",
        strategy: "postcopy",
        state: "COMPLETED",
        states: ["PENDING", "COMPLETED"],
        timeline: [{ state: "COMPLETED", at: at(10_500) }] as Measurements["migrations"][number]["timeline"],
        metrics: { totalMs: 900, frozenMs: 120 } as Measurements["migrations"][number]["metrics"],
        t: 10_000,
        completedT: 10_500,
        policy,
      },
    ],
    redirects: [{ id: "1", reconfigurationMs: 14, state: "active", policy }],
    fsm: [],
    moved: [{ task: "t1", ip: "10.144.0.2", to: "cloud1", answered: true, copies: ["cloud1"] }],
    cpu: Array.from({ length: 10 }, (_, i) => ({ t: i * 1000, node: "edge1", tier: "edge", usage: i / 10, policy })),
    policies: [{ policy, requests: 40, misses: 2, missRate: 0.05 }],
    notes: [],
  };
}
