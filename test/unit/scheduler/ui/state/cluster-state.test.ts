// The nodes view model: nodes and tasks from the first reads, then placed,
// released, a completed move, node reports and latency events keep the CPU
// bars and each task's predicted and measured latency current.
import { describe, expect, it } from "vitest";
import type { NodeView, PlacementView, TaskLatencyView } from "../../../../../src/api-types/scheduler.js";
import { applyClusterEvent, barFraction, emptyCluster, nodeRows, withLatency, withNodes, withPlacement, withPlacements } from "../../../../../scheduler/ui/state/cluster-state.js";

const nodes: NodeView[] = [
  { name: "cloud1", tier: "cloud", cpus: 4, netDelayMs: 20, usedCpus: 0, cpuUsage: 0, placements: 0 },
  { name: "edge1", tier: "edge", cpus: 1, netDelayMs: 2, usedCpus: 0.5, cpuUsage: 0.5, placements: 1, report: { cpu: { usage: 0.42, cores: 2 } }, reportedAt: "2026-12-02T10:00:00.000Z" },
];
const placement: PlacementView = { request: { id: "t-1", device: "cam-1", workload: "detect", inputClass: "small", delayBudgetMs: 300 }, node: "edge1", endpoint: null, cpuShare: 0.5, predictedDelayMs: 120, seq: 1, serviceIp: "10.77.0.2" };
const latency = (over: Partial<TaskLatencyView> = {}): TaskLatencyView => ({
  task: "t-1",
  model: "detect/small",
  node: "edge1",
  cpuShare: 0.5,
  delayBudgetMs: 300,
  predicted: { processingMs: 118, e2eMs: 120 },
  measured: { samples: 10, window: 10, e2eMs: { p50: 130, p95: 310 }, processingMs: { p50: 120, p95: 300 }, missRate: 0.1 },
  modelSource: "profile",
  ...over,
});

describe("nodes view model", () => {
  it("edge first then cloud, each with its tasks, reserved and measured CPU", () => {
    const s = withPlacements(withNodes(emptyCluster(), nodes), [placement]);
    const rows = nodeRows(s);
    expect(rows.map((r) => r.name)).toEqual(["edge1", "cloud1"]);
    expect(rows[0]).toMatchObject({ usedCpus: 0.5, measuredCpu: 0.42, reportedAt: "2026-12-02T10:00:00.000Z" });
    expect(rows[0]!.tasks.map((t) => t.id)).toEqual(["t-1"]);
    expect(rows[1]).toMatchObject({ measuredCpu: null, tasks: [] });
  });

  it("placed and released move the reserved CPU; a completed move puts the task on its destination", () => {
    let s = withNodes(emptyCluster(), nodes);
    s = applyClusterEvent(s, { type: "placed", task: { id: "t-2", device: "cam-2", workload: "detect", inputClass: "small", delayBudgetMs: 500 }, node: "edge1", endpoint: null, cpuShare: 0.3, predictedDelayMs: 200, at: "t" });
    expect(s.nodes.get("edge1")!.usedCpus).toBe(0.8);
    s = applyClusterEvent(s, { type: "migration.transition", migration: "m-1", task: "t-2", from: "edge1", to: "cloud1", previous: "EXECUTION", state: "VERIFICATION", at: "t" });
    expect(s.tasks.get("t-2")!.node).toBe("edge1");
    s = applyClusterEvent(s, { type: "migration.transition", migration: "m-1", task: "t-2", from: "edge1", to: "cloud1", previous: "VERIFICATION", state: "COMPLETED", at: "t" });
    expect(s.tasks.get("t-2")!.node).toBe("cloud1");
    expect(s.nodes.get("edge1")!.usedCpus).toBe(0.5);
    expect(s.nodes.get("cloud1")!.usedCpus).toBe(0.3);
    s = applyClusterEvent(s, { type: "released", task: "t-2", node: "cloud1", at: "t" });
    expect(s.tasks.has("t-2")).toBe(false);
    expect(s.nodes.get("cloud1")!.usedCpus).toBe(0);
  });

  it("node reports update the bars; latency events the task's predicted and measured figures", () => {
    let s = withPlacements(withNodes(emptyCluster(), nodes), [placement]);
    s = applyClusterEvent(s, { type: "node.report", node: "edge1", cpuUsage: 0.9, usedCpus: 0.5, cpus: 1, placements: 1, workloads: 1, receivedAt: "2026-12-02T10:00:05.000Z", at: "t" });
    expect(s.nodes.get("edge1")).toMatchObject({ measuredCpu: 0.9, reportedAt: "2026-12-02T10:00:05.000Z" });
    s = applyClusterEvent(s, { type: "task.latency", task: "t-1", device: "cam-1", batch: { count: 2, fromMs: 1, toMs: 2, p50: 130, p95: 310, max: 310, late: 1 }, latency: latency(), at: "t" });
    expect(s.tasks.get("t-1")).toMatchObject({ predictedMs: 120, measuredP50: 130, measuredP95: 310, missRate: 0.1 });
    // Unknown tasks and nodes change nothing.
    expect(withLatency(s, latency({ task: "t-9" }))).toBe(s);
    expect(applyClusterEvent(s, { type: "node.report", node: "nope", cpuUsage: 1, usedCpus: 0, cpus: 1, placements: 0, workloads: 0, receivedAt: "x", at: "t" })).toBe(s);
  });

  it("a placement read after the placed event brings the service IP; unavailable is shown", () => {
    let s = withNodes(emptyCluster(), nodes);
    s = applyClusterEvent(s, { type: "placed", task: placement.request, node: "edge1", endpoint: null, cpuShare: 0.5, predictedDelayMs: 120, at: "t" });
    expect(s.tasks.get("t-1")!.serviceIp).toBeNull();
    s = withPlacement(s, placement);
    expect(s.tasks.get("t-1")!.serviceIp).toBe("10.77.0.2");
    s = applyClusterEvent(s, { type: "task.unavailable", task: "t-1", node: "edge1", at: "t" });
    expect(s.tasks.get("t-1")!.unavailable).toBe(true);
  });

  it("bars are clamped to 0..1", () => {
    expect(barFraction(0.5, 1)).toBe(0.5);
    expect(barFraction(3, 2)).toBe(1);
    expect(barFraction(1, 0)).toBe(0);
  });
});
