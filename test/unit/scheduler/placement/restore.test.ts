// A placement restored after a restart is the one that was stored: node,
// exact share, seq (placement order) and age, with later placements numbered
// after it, and no capacity check (the stored state is what ran).
import { describe, expect, it } from "vitest";
import { createPolicy } from "../../../../scheduler/placement/policies.js";
import type { ModelTable, NodeSpec } from "../../../../scheduler/placement/types.js";

const MODELS: ModelTable = { "detect/small": { kind: "exponential", a: 900, b: -2.1 } };
const NODES: NodeSpec[] = [
  { name: "edge1", tier: "edge", cpus: 1, netDelayMs: 5 },
  { name: "cloud1", tier: "cloud", cpus: 8, netDelayMs: 60 },
];
const req = (id: string, delayBudgetMs = 266) => ({ id, device: "cam", workload: "detect", inputClass: "small", delayBudgetMs });
const fresh = (minResidenceSec = 0) => createPolicy("delay-aware", { nodes: NODES, models: MODELS, minResidenceSec });

describe("PlacementPolicy.record / restore", () => {
  it("gives back node, share, seq, age and model exactly; later placements come after it", () => {
    const a = fresh();
    a.place(req("t-1"), { atSec: 100 });
    a.place(req("t-2", 142), { atSec: 200 }); // case 3: t-1 moves to the cloud, its age restarts at 200
    const records = a.placements().map((p) => a.record(p.request.id)!);
    expect(records.map((r) => [r.request.id, r.node, r.seq, r.sinceSec])).toEqual([
      ["t-1", "cloud1", 0, 200],
      ["t-2", "edge1", 1, 200],
    ]);
    const b = fresh();
    for (const r of [...records].reverse()) b.restore(structuredClone(r));
    expect(b.placements()).toEqual(a.placements());
    expect(b.nodes()).toEqual(a.nodes());
    expect(records.map((r) => b.record(r.request.id))).toEqual(records);
    b.place(req("t-3"), { atSec: 300 });
    expect(b.record("t-3")!.seq).toBe(2);
  });

  it("keeps min-residence: a restored young task is not moved by rule 3", () => {
    const a = fresh(60);
    a.place(req("t-1"), { atSec: 100 });
    const b = fresh(60);
    b.restore(a.record("t-1")!);
    expect(b.place(req("t-2", 142), { atSec: 130 }).node).toBeNull();
    expect(b.place(req("t-3", 142), { atSec: 170 })).toMatchObject({ node: "edge1", case: 3 });
  });

  it("restores over capacity (what ran, ran) and refuses an unknown node or a duplicate", () => {
    const a = fresh();
    a.place(req("t-1", 142));
    const r = a.record("t-1")!;
    const b = fresh();
    b.restore(r);
    b.restore({ ...r, request: req("t-2", 142), seq: 1 });
    expect(b.nodes().find((n) => n.name === "edge1")!.usedCpus).toBeGreaterThan(1);
    expect(() => b.restore(r)).toThrow(/already placed/);
    expect(() => b.restore({ ...r, request: req("t-9"), node: "nowhere" })).toThrow(/no node 'nowhere'/);
    expect(b.record("t-9")).toBeUndefined();
  });
});
