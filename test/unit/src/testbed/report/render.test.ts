import { describe, expect, it } from "vitest";
import { renderReport } from "../../../../../src/testbed/report/render.js";
import { plotSpecs } from "../../../../../src/testbed/report/specs.js";
import { sampleMeasurements } from "../../../../helpers/testbed-measurements.js";

describe("the testbed report", () => {
  it("has the five plots when the run measured them, each an inline SVG with marks; no script, nothing fetched", async () => {
    const html = await renderReport([sampleMeasurements()]);
    const figures = [...html.matchAll(/<figure class="plot" id="plot-([a-z-]+)">([\s\S]*?)<\/figure>/g)];
    expect(figures.map((f) => f[1])).toEqual(["latency", "migrations", "reconfiguration", "miss-rate", "edge-cpu"]);
    for (const [, , body] of figures) {
      expect(body).toMatch(/<svg[^>]*width="\d+"/);
      expect(body).toMatch(/<path|<rect|<line/);
    }
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org|vega\.github\.io)/);
    expect(html).toContain("22.40");
  });

  it("leaves out the plots a run has no data for (an fsm run has no device requests)", () => {
    const m = { ...sampleMeasurements(), requests: [], policies: [], cpu: [] };
    expect(plotSpecs([m]).map((p) => p.id)).toEqual(["migrations", "reconfiguration"]);
  });

  it("puts several runs side by side: one series or bar per run", () => {
    const a = sampleMeasurements("run-a", "delay-aware");
    const b = sampleMeasurements("run-b", "random");
    const miss = plotSpecs([a, b]).find((p) => p.id === "miss-rate")!;
    expect((miss.spec as { data: { values: Array<{ policy: string }> } }).data.values.map((v) => v.policy)).toEqual(["delay-aware (run-a)", "random (run-b)"]);
  });

  it("plots a strategies run's downtime and total time per size and strategy, and tables its moves and a group's members", async () => {
    const move = (strategy: string, sizeMiB: number, downtimeMs: number, totalMs: number, state = "COMPLETED") => ({
      strategy,
      ran: strategy,
      sizeMiB,
      via: "scheduler" as const,
      task: `st-${sizeMiB}-${strategy}`,
      from: "edge1",
      to: "cloud1",
      state,
      states: [],
      migration: "m-1",
      downtimeMs,
      totalMs,
      transferMs: null,
      bytesBeforeResume: 1000,
      bytesAfterResume: 0,
      bytes: 1000,
      rateMbit: 8.5,
      transferMbit: null,
    });
    const m = {
      ...sampleMeasurements(),
      strategies: [move("stopcopy", 16, 900, 2100), move("postcopy", 16, 120, 3300), move("docker", 64, 4000, 9000, "succeeded"), move("postcopy", 64, 0, 0, "FAILED")],
      groups: [
        {
          group: "shop",
          id: "g-1",
          to: "cloud1",
          strategy: "stopcopy",
          state: "completed",
          totalMs: 7300,
          rounds: [{ round: 1, parallelism: 1, tasks: ["shop-db"], reason: "first" }],
          members: [{ task: "shop-db", member: "db", order: 0, from: "edge1", runsOn: "cloud1", copies: ["cloud1"], phase: "Migrated", state: "COMPLETED" as const, migration: "m-2", downtimeMs: 812 }],
        },
      ],
    };
    const spec = plotSpecs([m]).find((p) => p.id === "strategies")!;
    const rows = (spec.spec as { data: { values: Array<{ strategy: string; size: string; measure: string; ms: number }> } }).data.values;
    // Completed moves only (COMPLETED, or the agents' "succeeded"), two bars each.
    expect(rows.map((r) => `${r.strategy} ${r.size} ${r.measure} ${r.ms}`)).toEqual([
      "stopcopy 16 MiB downtime (frozen) 900",
      "stopcopy 16 MiB total migration time 2100",
      "postcopy 16 MiB downtime (frozen) 120",
      "postcopy 16 MiB total migration time 3300",
      "docker 64 MiB downtime (frozen) 4000",
      "docker 64 MiB total migration time 9000",
    ]);
    const html = await renderReport([m]);
    expect(html).toMatch(/<figure class="plot" id="plot-strategies"><figcaption>[^<]*<\/figcaption><svg/);
    expect(html).toContain("Strategies: the same workload edge→cloud over the WAN");
    expect(html).toContain("<td>shop-db</td><td>db (order 0)</td><td>edge1→cloud1</td><td>Migrated</td><td>COMPLETED</td><td>812</td>");
  });
});
