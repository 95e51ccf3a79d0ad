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
});
