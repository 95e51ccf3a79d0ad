// restoreState: a task stored as moving whose move never reached the
// migration journal (a crash between the two writes) goes back on its source;
// one whose move is in flight stays on the destination for recovery to settle.
import { describe, expect, it } from "vitest";
import { createPolicy } from "../../../../scheduler/placement/policies.js";
import type { ModelTable, NodeSpec } from "../../../../scheduler/placement/types.js";
import { DurableState } from "../../../../scheduler/state/durable-state.js";
import type { SchedulerSnapshot, StoredTask } from "../../../../scheduler/state/records.js";
import { restoreState } from "../../../../scheduler/state/restore.js";
import { MemoryStateStore } from "../../../../scheduler/state/store.js";

const MODELS: ModelTable = { "detect/small": { kind: "exponential", a: 900, b: -2.1 } };
const EDGE: NodeSpec = { name: "edge1", tier: "edge", cpus: 1, netDelayMs: 5 };
const CLOUD: NodeSpec = { name: "cloud1", tier: "cloud", cpus: 8, netDelayMs: 60 };
const moved: StoredTask = {
  request: { id: "t-1", device: "cam", workload: "detect", inputClass: "small", delayBudgetMs: 266 },
  node: "cloud1",
  shareMilli: 700,
  seq: 0,
  model: MODELS["detect/small"]!,
  moving: { from: "edge1", to: "cloud1" },
};
const snap: SchedulerSnapshot = { nodes: [EDGE, CLOUD], devices: [], tasks: [moved], taskSeq: 1 };

function run(inFlight: string[]) {
  const policy = createPolicy("delay-aware", { nodes: [], models: MODELS });
  const durable = new DurableState(new MemoryStateStore(), policy, { binding: () => undefined });
  durable.tracksMoves = true;
  let seq = 0;
  const result = restoreState(snap, { policy, devices: new Map(), adopt: () => {}, setTaskSeq: (n) => (seq = n) }, durable, new Set(inFlight));
  return { policy, durable, result, seq };
}

describe("restoreState", () => {
  it("puts a task back on its source when its move was never recorded, and says so", () => {
    const { policy, durable, result, seq } = run([]);
    expect(policy.placements().map((p) => p.node)).toEqual(["edge1"]);
    expect(durable.isMoving("t-1")).toBe(false);
    expect(result.notes).toEqual(["task t-1: its move edge1 -> cloud1 was never recorded; back on edge1"]);
    expect(result.fixes).toEqual([{ kind: "task", key: "t-1", value: expect.objectContaining({ node: "edge1", seq: 0 }) }]);
    expect(seq).toBe(1);
  });

  it("leaves a task whose move is in flight on the destination, marked moving", () => {
    const { policy, durable, result } = run(["t-1"]);
    expect(policy.placements().map((p) => p.node)).toEqual(["cloud1"]);
    expect(durable.isMoving("t-1")).toBe(true);
    expect(result).toEqual({ notes: [], fixes: [] });
  });
});
