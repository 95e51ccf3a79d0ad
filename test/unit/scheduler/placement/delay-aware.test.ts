// The delay-aware rules on hand-sized clusters with exact expected decisions.
// Model m/x is power a=100, b=-1: the share needed is 100 / (budget - netDelay)
// cores, rounded up to whole millicores.
import { describe, expect, it } from "vitest";
import { createPolicy } from "../../../../scheduler/placement/policies.js";
import type { NodeSpec, PlacementPolicy, TaskRequest } from "../../../../scheduler/placement/types.js";

const models = { "m/x": { kind: "power" as const, a: 100, b: -1 } };

function req(id: string, delayBudgetMs: number, priority?: number): TaskRequest {
  const r: TaskRequest = { id, device: "iot1", workload: "m", inputClass: "x", delayBudgetMs };
  if (priority !== undefined) r.priority = priority;
  return r;
}

function policy(nodes: NodeSpec[], minResidenceSec = 0): PlacementPolicy {
  return createPolicy("delay-aware", { nodes, models, minResidenceSec });
}

const edge = (name: string, cpus = 1, netDelayMs = 0): NodeSpec => ({ name, tier: "edge", cpus, netDelayMs });
const cloud = (name: string, cpus = 4, netDelayMs = 50): NodeSpec => ({ name, tier: "cloud", cpus, netDelayMs });

describe("rule 1: a fitting edge node", () => {
  it("takes the fitting edge node with the highest CPU usage, ties by name", () => {
    const p = policy([edge("edgeB"), edge("edgeA"), cloud("cloud1")]);
    // Both empty: the tie goes to edgeA.
    expect(p.place(req("r1", 200))).toEqual({
      request: "r1",
      node: "edgeA",
      case: 1,
      cpuShare: 0.5,
      predictedDelayMs: 200,
      migrations: [],
    });
    expect(p.place(req("r2", 400))).toMatchObject({ node: "edgeA", case: 1, cpuShare: 0.25 });
    // edgeA (0.75 used) cannot take 0.4: edgeB.
    expect(p.place(req("r3", 250))).toMatchObject({ node: "edgeB", case: 1, cpuShare: 0.4 });
    // Both fit 0.1: edgeA is the more used (0.75 > 0.4).
    expect(p.place(req("r4", 1000))).toMatchObject({ node: "edgeA", case: 1, cpuShare: 0.1 });
    expect(p.nodes().map((n) => [n.name, n.usedCpus, n.placements])).toEqual([
      ["cloud1", 0, 0],
      ["edgeA", 0.85, 3],
      ["edgeB", 0.4, 1],
    ]);
  });

  it("uses each node's own network delay for the share", () => {
    const p = policy([edge("near", 1, 0), edge("far", 1, 100)]);
    // far needs 100/(300-100) = 0.5 and near 100/300 = 0.334: both fit, tie on usage -> far (name).
    expect(p.place(req("r1", 300))).toMatchObject({ node: "far", cpuShare: 0.5 });
    expect(p.place(req("r2", 300))).toMatchObject({ node: "far", cpuShare: 0.5 });
    expect(p.place(req("r3", 300))).toMatchObject({ node: "near", cpuShare: 0.334 });
  });
});

describe("rule 2: the cloud when no edge request can move", () => {
  it("places on the most used fitting cloud node when edge requests are too tight to move", () => {
    const p = policy([edge("edgeA"), cloud("cloud1", 4), cloud("cloud2", 2)]);
    // 120 ms leaves 70 ms after the cloud's 50 ms: infeasible there, so r1 cannot move.
    expect(p.place(req("r1", 120))).toMatchObject({ node: "edgeA", case: 1, cpuShare: 0.834 });
    // r2 needs 0.2 on the edge (no room), 100/450 -> 0.223 in the cloud; tie -> cloud1.
    expect(p.place(req("r2", 500))).toEqual({
      request: "r2",
      node: "cloud1",
      case: 2,
      cpuShare: 0.223,
      predictedDelayMs: expect.closeTo(100 / 0.223, 9),
      migrations: [],
      reason: "no edge node has room, even after moving edge requests to the cloud",
    });
    // cloud1 is now the more used one.
    expect(p.place(req("r3", 500))).toMatchObject({ node: "cloud1", case: 2 });
  });

  it("falls back to the cloud, undoing its moves, when moving cannot free enough edge CPU", () => {
    // cloud1 can take only one small moved request (0.15 cores).
    const p = policy([edge("edgeA"), cloud("cloud1", 0.15), cloud("cloud2", 1, 60)]);
    p.place(req("r1", 1000)); // 0.1
    p.place(req("r2", 130)); // 0.77, cannot move (80 ms left in cloud1 / 70 ms in cloud2)
    const before = { nodes: p.nodes(), placements: p.placements() };
    // r3 needs 0.4 on the edge. Moving r1 (0.106 to cloud1) frees only 0.23: undone.
    // In the cloud it needs 100/240 at cloud2 = 0.417 (cloud1 is too small): case 2.
    expect(p.place(req("r3", 300))).toMatchObject({ node: "cloud2", case: 2, cpuShare: 0.417, migrations: [] });
    expect(p.placements().filter((x) => x.request.id !== "r3")).toEqual(before.placements);
    expect(p.nodes().find((n) => n.name === "edgeA")).toEqual(before.nodes.find((n) => n.name === "edgeA"));
  });
});

describe("rule 3: move edge requests to the cloud", () => {
  function loaded(extra: NodeSpec[] = []): PlacementPolicy {
    const p = policy([edge("edgeA"), cloud("cloud1", 4), cloud("cloud2", 4), ...extra]);
    p.place(req("r1", 1000)); // 0.1
    p.place(req("r2", 500)); // 0.2
    p.place(req("r3", 1000)); // 0.1
    p.place(req("r4", 200)); // 0.5  -> edgeA holds 0.9
    return p;
  }

  it("moves the longest budgets first, ties the earliest placed, until the request fits", () => {
    const p = loaded();
    expect(p.place(req("r5", 250))).toEqual({
      request: "r5",
      node: "edgeA",
      case: 3,
      cpuShare: 0.4,
      predictedDelayMs: 250,
      migrations: [
        // 100/950 -> 0.106; cloud1 wins the empty tie by name, then is the most used.
        { request: "r1", from: "edgeA", to: "cloud1", cpuShare: 0.106 },
        { request: "r3", from: "edgeA", to: "cloud1", cpuShare: 0.106 },
        // 100/450 -> 0.223; after it edgeA has 0.5 free >= 0.4, so r4 stays.
        { request: "r2", from: "edgeA", to: "cloud1", cpuShare: 0.223 },
      ],
    });
    const where = Object.fromEntries(p.placements().map((x) => [x.request.id, [x.node, x.cpuShare]]));
    expect(where).toEqual({
      r1: ["cloud1", 0.106],
      r2: ["cloud1", 0.223],
      r3: ["cloud1", 0.106],
      r4: ["edgeA", 0.5],
      r5: ["edgeA", 0.4],
    });
    expect(p.nodes().find((n) => n.name === "cloud1")?.usedCpus).toBeCloseTo(0.435, 9);
    // A moved request keeps its place order.
    expect(p.placements().map((x) => x.request.id)).toEqual(["r1", "r2", "r3", "r4", "r5"]);
  });

  it("moves requests with a lower explicit priority first, before those without one", () => {
    const p = policy([edge("edgeA"), cloud("cloud1")]);
    p.place(req("r1", 1000)); // 0.1, no priority
    p.place(req("r2", 500, 7)); // 0.2
    p.place(req("r3", 1000, 3)); // 0.1
    p.place(req("r4", 200, 3)); // 0.5
    // Order: priority 3 (r3 budget 1000, then r4 200), then 7 (r2), then none (r1).
    // Moving r3 frees 0.2 of the 0.4 needed; r4 (100/150 -> 0.667) frees 0.7.
    expect(p.place(req("r5", 250)).migrations).toEqual([
      { request: "r3", from: "edgeA", to: "cloud1", cpuShare: 0.106 },
      { request: "r4", from: "edgeA", to: "cloud1", cpuShare: 0.667 },
    ]);
  });

  it("skips requests no cloud node can take and keeps going", () => {
    // cloud1 takes 0.2: r1 (0.106) moves, r3 (0.106) does not fit after it, r2 (0.223) never.
    const p = policy([edge("edgeA"), cloud("cloud1", 0.2), cloud("cloud2", 0.7, 100)]);
    p.place(req("r1", 1000));
    p.place(req("r2", 500));
    p.place(req("r3", 1000));
    p.place(req("r4", 200));
    const d = p.place(req("r5", 250));
    // r3 then fits cloud2 (100/900 -> 0.112), r2 in cloud2 needs 100/400 = 0.25 and fits.
    expect(d.case).toBe(3);
    expect(d.migrations).toEqual([
      { request: "r1", from: "edgeA", to: "cloud1", cpuShare: 0.106 },
      { request: "r3", from: "edgeA", to: "cloud2", cpuShare: 0.112 },
      { request: "r2", from: "edgeA", to: "cloud2", cpuShare: 0.25 },
    ]);
  });

  it("does not move requests off an edge node that could never take the new request", () => {
    const p = policy([edge("edgeA"), edge("tiny", 0.3), cloud("cloud1")]);
    p.place(req("t1", 1000)); // 0.1 on edgeA? no: both empty, tie -> edgeA
    p.place(req("r2", 150)); // 0.667 -> edgeA (0.767)
    p.place(req("s1", 400)); // 0.25 -> edgeA is full for it: tiny
    // r5 needs 0.4: tiny (0.3 cores) can never take it, so s1 (budget 400) stays;
    // t1 (budget 1000) moves first, then r2 (150 -> 100 ms in cloud: 1.0 core).
    const d = p.place(req("r5", 250));
    expect(d.migrations.map((m) => m.request)).toEqual(["t1", "r2"]);
    expect(d).toMatchObject({ node: "edgeA", case: 3 });
  });
});

describe("rule 3: the edge node that needs the fewest moves", () => {
  /**
   * edgeA: a (0.5, 200 ms) and c (0.4, 250 ms); edgeB: b (0.65, 154 ms) and s1..s5 (0.05
   * each, 2000 ms). Both hold 0.9 of 1 core. `at` gives each placement's time.
   */
  function twoNodes(minResidenceSec = 0, at: Record<string, number> = {}): PlacementPolicy {
    const p = policy([edge("edgeA"), edge("edgeB"), cloud("cloud1")], minResidenceSec);
    const put = (r: TaskRequest) => p.place(r, at[r.id] === undefined ? {} : { atSec: at[r.id] });
    expect(put(req("a", 200))).toMatchObject({ node: "edgeA", cpuShare: 0.5 });
    expect(put(req("b", 154))).toMatchObject({ node: "edgeB", cpuShare: 0.65 });
    for (const s of ["s1", "s2", "s3", "s4", "s5"]) expect(put(req(s, 2000))).toMatchObject({ node: "edgeB", cpuShare: 0.05 });
    expect(put(req("c", 250))).toMatchObject({ node: "edgeA", cpuShare: 0.4 });
    return p;
  }
  // The new request needs 100/334 -> 0.3 cores: 0.2 more than either node has free.
  const incoming = () => req("new", 334);

  it("moves one request off one node rather than many small ones off another", () => {
    // Taken in global move order (the old rule), s1..s4 (the longest budgets) would move off edgeB.
    // edgeA is freed by one move: c (250 ms, before a in move order) frees 0.4.
    expect(twoNodes().place(incoming())).toEqual({
      request: "new",
      node: "edgeA",
      case: 3,
      cpuShare: 0.3,
      predictedDelayMs: expect.closeTo(100 / 0.3, 9),
      migrations: [{ request: "c", from: "edgeA", to: "cloud1", cpuShare: 0.5 }],
    });
  });

  it("moves only until the request fits, least important first, on the chosen node", () => {
    // With a and c in flight, edgeB is the only way: s1..s4 free exactly 0.2; s5 stays.
    const d = twoNodes().place(incoming(), { migrating: new Set(["a", "c"]) });
    expect(d).toMatchObject({ node: "edgeB", case: 3 });
    expect(d.migrations).toEqual(
      ["s1", "s2", "s3", "s4"].map((r) => ({ request: r, from: "edgeB", to: "cloud1", cpuShare: 0.052 })),
    );
  });

  it("does not move a request whose move is in flight; the next one on the node moves", () => {
    const d = twoNodes().place(incoming(), { migrating: new Set(["c"]) });
    // a (200 ms) needs 100/150 in the cloud.
    expect(d).toMatchObject({ node: "edgeA", case: 3, migrations: [{ request: "a", from: "edgeA", to: "cloud1", cpuShare: 0.667 }] });
  });

  it("does not move a request placed less than min-residence ago", () => {
    const at = { a: 0, b: 0, s1: 0, s2: 0, s3: 0, s4: 0, s5: 0, c: 8 };
    // At 12 s, c (placed at 8) is 4 s old: a moves instead.
    expect(twoNodes(10, at).place(incoming(), { atSec: 12 }).migrations.map((m) => m.request)).toEqual(["a"]);
    // At 18 s c is old enough.
    expect(twoNodes(10, at).place(incoming(), { atSec: 18 }).migrations.map((m) => m.request)).toEqual(["c"]);
    // Without the decision's time, no request has an age.
    expect(twoNodes(10, at).place(incoming()).migrations.map((m) => m.request)).toEqual(["c"]);
  });

  it("when every way is held back, uses the cloud by rule 2 and says why", () => {
    const at = { a: 0, b: 0, s1: 0, s2: 0, s3: 0, s4: 0, s5: 0, c: 0 };
    const d = twoNodes(10, at).place(incoming(), { atSec: 5, migrating: new Set(["b"]) });
    // 100/(334 - 50) -> 0.353 in the cloud.
    expect(d).toEqual({
      request: "new",
      node: "cloud1",
      case: 2,
      cpuShare: 0.353,
      predictedDelayMs: expect.closeTo(100 / 0.353, 9),
      migrations: [],
      reason: "no edge node has room, even after moving edge requests to the cloud (held back: 7 placed or moved less than 10 s ago, 1 migrating)",
    });
  });

  describe("ties on the number of moves go to the node whose moved request is least important", () => {
    /** edgeA: a (0.65) and x; edgeB: b (0.65) and y; each freed by moving x or y. */
    function tie(x: TaskRequest, y: TaskRequest): PlacementPolicy {
      const p = policy([edge("edgeA"), edge("edgeB"), cloud("cloud1")]);
      expect(p.place(req("a", 154)).node).toBe("edgeA");
      expect(p.place(req("b", 154)).node).toBe("edgeB");
      expect(p.place(x).node).toBe("edgeA");
      expect(p.place(y).node).toBe("edgeB");
      return p;
    }
    const moved = (p: PlacementPolicy) => p.place(incoming()).migrations.map((m) => `${m.request}@${m.from}`);

    it("the longer budget", () => {
      // x: 0.25 (400 ms) on edgeA, y: 0.2 (500 ms) on edgeB: y's 500 ms budget is the longer.
      expect(moved(tie(req("x", 400), req("y", 500)))).toEqual(["y@edgeB"]);
    });

    it("an explicit lower priority before the budget", () => {
      expect(moved(tie(req("x", 400, 0), req("y", 500)))).toEqual(["x@edgeA"]);
      expect(moved(tie(req("x", 400, 2), req("y", 500, 1)))).toEqual(["y@edgeB"]);
    });

    it("the earlier placed, on equal priority and budget", () => {
      expect(moved(tie(req("x", 400), req("y", 400)))).toEqual(["x@edgeA"]);
    });
  });
});

describe("refusals", () => {
  it("refuses with a reason and changes nothing when nothing fits anywhere", () => {
    const p = policy([edge("edgeA"), cloud("cloud1", 0.15)]);
    p.place(req("r1", 1000));
    p.place(req("r2", 130));
    const before = { nodes: p.nodes(), placements: p.placements() };
    const d = p.place(req("r3", 300));
    expect(d).toEqual({
      request: "r3",
      node: null,
      migrations: [],
      reason: "no node has enough free CPU (needs 0.334 cores at 0 ms network delay), even after moving edge requests to the cloud",
      refusal: "no_capacity",
    });
    expect({ nodes: p.nodes(), placements: p.placements() }).toEqual(before);
  });

  it("refuses a budget no node can meet, naming why", () => {
    const p = policy([edge("edgeA", 1, 5), cloud("cloud1")]);
    expect(p.place(req("r1", 90))).toEqual({
      request: "r1",
      node: null,
      migrations: [],
      reason: "the 90 ms budget cannot be met on any node (at 5 ms network delay: needs 85 ms but one full core gives 100 ms)",
      refusal: "budget_infeasible",
    });
  });

  it("refuses unknown model classes, duplicate ids and malformed requests", () => {
    const p = policy([edge("edgeA")]);
    expect(p.place({ ...req("r1", 500), inputClass: "huge" })).toMatchObject({
      node: null,
      reason: "unknown model class 'm/huge'",
      refusal: "unknown_model",
    });
    expect(p.place(req("r1", 500)).node).toBe("edgeA");
    expect(p.place(req("r1", 500))).toMatchObject({ node: null, reason: "request 'r1' is already placed", refusal: "duplicate_id" });
    expect(p.place(req("r2", -1))).toMatchObject({ node: null, reason: "request 'r2': delayBudgetMs must be a positive number", refusal: "invalid_request" });
    expect(p.place({ ...req("r3", 500), priority: 1.5 }).node).toBeNull();
    expect(p.placements().map((x) => x.request.id)).toEqual(["r1"]);
  });

  it("refuses when no nodes are registered", () => {
    expect(policy([]).place(req("r1", 500))).toMatchObject({ node: null, reason: "no nodes registered", refusal: "no_nodes" });
  });
});

describe("live cluster changes", () => {
  it("releases shares, adds nodes and removes only idle ones", () => {
    const p = policy([edge("edgeA")]);
    expect(p.place(req("r1", 200)).node).toBe("edgeA");
    expect(p.removeNode("edgeA")).toBe(false);
    expect(p.removeNode("nope")).toBe(false);
    p.addNode(cloud("cloud1"));
    expect(() => p.addNode(cloud("cloud1"))).toThrow(/already exists/);
    expect(() => p.addNode({ name: "bad", tier: "edge", cpus: 0, netDelayMs: 1 })).toThrow(/cpus/);
    // edgeA full for r2 (0.667), r1 (200 ms -> 100/150 = 0.667 in the cloud) can move.
    expect(p.place(req("r2", 150))).toMatchObject({ node: "edgeA", case: 3 });
    expect(p.release("r1")).toBe(true);
    expect(p.release("r1")).toBe(false);
    expect(p.removeNode("cloud1")).toBe(true);
    expect(p.nodes().map((n) => [n.name, n.usedCpus])).toEqual([["edgeA", 0.667]]);
  });

  it("treats newly added cloud nodes as move targets", () => {
    const p = policy([edge("edgeA")]);
    p.place(req("r1", 1000)); // 0.1
    p.place(req("r2", 180)); // 0.556
    expect(p.place(req("r3", 160)).node).toBeNull(); // needs 0.625
    p.addNode(cloud("cloud1"));
    expect(p.place(req("r3", 160))).toMatchObject({
      node: "edgeA",
      case: 3,
      migrations: [
        { request: "r1", from: "edgeA", to: "cloud1", cpuShare: 0.106 },
        { request: "r2", from: "edgeA", to: "cloud1", cpuShare: 0.77 },
      ],
    });
  });
});
