// The embedded default models: fitted from the committed profiling run.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_SAMPLES_PATH, loadDefaultModels } from "../../../../scheduler/latency/defaults.js";
import { predictLatencyMs } from "../../../../src/latency/model.js";

describe("loadDefaultModels", () => {
  it("fits every input class of the committed profile with a falling latency curve", () => {
    const models = loadDefaultModels();
    expect(Object.keys(models)).toEqual(["detect/small", "detect/medium", "detect/large"]);
    for (const [key, m] of Object.entries(models)) {
      expect(m.b, key).toBeLessThan(0);
      expect(m.r2, key).toBeGreaterThan(0.8);
      expect(m.n, key).toBeGreaterThanOrEqual(9);
    }
    // Bigger images cost more at the same share.
    const at = (k: string) => predictLatencyMs(models[k]!, 0.5);
    expect(at("detect/small")).toBeLessThan(at("detect/medium"));
    expect(at("detect/medium")).toBeLessThan(at("detect/large"));
  });

  it("comes from a real cgroup profile run, recorded in the file's header", () => {
    const text = readFileSync(DEFAULT_SAMPLES_PATH, "utf8");
    expect(text).toMatch(/^# fleximigrate profile: workload=detect runtime=cgroup/);
  });

  it("hands each caller its own copy", () => {
    const first = loadDefaultModels();
    first["detect/small"]!.a = -1;
    expect(loadDefaultModels()["detect/small"]!.a).toBeGreaterThan(0);
  });
});
