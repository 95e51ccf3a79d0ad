// The demo load of `fleximigrate up` against the real delay-aware policy and the
// embedded models: whatever the seed, it soon forces a case-3 move.
import { describe, expect, it } from "vitest";
import { createPolicy } from "../../../../scheduler/placement/policies.js";
import { loadDefaultModels } from "../../../../scheduler/latency/defaults.js";
import { DEMO_NODES } from "../../../../src/demo/demo-cluster.js";
import { DemoLoad } from "../../../../src/demo/demo-load.js";

describe("DemoLoad", () => {
  const models = loadDefaultModels();
  const nodes = DEMO_NODES.map(({ agentPort: _p, ...spec }) => spec);

  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
    it(`forces a move within 30 actions and keeps forcing them (seed ${seed})`, () => {
      const policy = createPolicy("delay-aware", { nodes, models });
      const load = new DemoLoad(nodes, models, seed);
      expect(load.caveat).toBeNull();
      let n = 0;
      const case3At: number[] = [];
      let releases = 0;
      for (let i = 0; i < 300; i++) {
        const action = load.next();
        if (action.kind === "release") {
          expect(policy.release(action.id), `release ${action.id}`).toBe(true);
          releases++;
          continue;
        }
        const id = `t-${++n}`;
        const d = policy.place({ id, ...action.task });
        if (d.case === 3) case3At.push(i);
        load.observe(action, { id, node: d.node, case: d.case ?? null, migrations: d.migrations.length });
      }
      expect(case3At[0]).toBeLessThan(30);
      expect(case3At.length).toBeGreaterThan(5);
      expect(releases).toBeGreaterThan(20);
      // The load stays bounded: releases keep the cluster from filling up.
      expect(policy.placements().length).toBeLessThan(40);
    });
  }

  it("says why it cannot force moves when the cloud is no farther than the edge", () => {
    const flat = nodes.map((n) => ({ ...n, netDelayMs: 5 }));
    expect(new DemoLoad(flat, models).caveat).toMatch(/not farther/);
  });
});
