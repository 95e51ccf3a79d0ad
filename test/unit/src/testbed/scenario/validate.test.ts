import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { POLICY_NAMES } from "../../../../../scheduler/placement/policies.js";
import { seededRng } from "../../../../../src/random.js";
import { scenarioTrace } from "../../../../../src/testbed/scenario/trace.js";
import { loadScenario, PLACEMENT_POLICIES, validateScenario } from "../../../../../src/testbed/scenario/validate.js";

const DIR = "mininet/scenarios";
const base = { name: "t", kind: "saturate", seed: 3, durationS: 30, devices: [{ prefix: "cam", count: 3, budgetMs: 100, spacingS: 2, jitterS: 1 }] };

describe("testbed scenarios", () => {
  it("every shipped scenario loads", () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith(".yaml"));
    expect(files.sort()).toEqual(["fsm.yaml", "group.yaml", "policies.yaml", "saturate.yaml", "strategies.yaml"]);
    for (const f of files) expect(loadScenario(path.join(DIR, f)).name).toBe(f.replace(".yaml", ""));
  });

  it("knows exactly the scheduler's placement policies", () => {
    expect([...PLACEMENT_POLICIES].sort()).toEqual([...POLICY_NAMES].sort());
  });

  it("the same scenario and seed give the same trace; another seed another", () => {
    const a = scenarioTrace(validateScenario(base, "x"));
    expect(scenarioTrace(validateScenario(base, "x"))).toEqual(a);
    expect(a.map((d) => d.id)).toEqual(["cam-1", "cam-2", "cam-3"]);
    expect(a[1]!.startMs).toBeGreaterThanOrEqual(2000);
    expect(a[1]!.startMs).toBeLessThan(3000);
    expect(scenarioTrace(validateScenario({ ...base, seed: 4 }, "x")).map((d) => d.startMs)).not.toEqual(a.map((d) => d.startMs));
    expect(seededRng(1)()).toBe(seededRng(1)());
  });

  it.each([
    [{ ...base, kind: "nope" }, /x: kind: must be one of saturate, fsm/],
    [{ ...base, devices: [{ ...base.devices[0], budgetMs: -1 }] }, /x: devices\[0\]\.budgetMs: must be a number in 1-60000, got -1/],
    [{ ...base, wan: { delayMs: 10, jitter: 1 } }, /x: wan\.jitter: unknown field/],
    [{ ...base, colour: 1 }, /x: colour: unknown field/],
    [{ ...base, policy: "fastest" }, /x: policy: must be one of delay-aware/],
    [{ ...base, kind: "fsm" }, /x: faults: an fsm scenario lists its cases/],
    [{ ...base, faults: ["DONE"] }, /x: faults\[0\]: must be one of success, PENDING/],
    [{ ...base, seed: 1.5 }, /x: seed: must be an integer/],
    [{ ...base, devices: [base.devices[0], base.devices[0]] }, /x: devices\[1\]\.prefix: 'cam' is used twice/],
    [{ ...base, kind: "group", strategy: "docker" }, /x: strategy: a group's members are the scheduler's tasks: docker cannot move them/],
    [{ ...base, kind: "strategies", strategies: ["stopcopy"] }, /x: strategies: a strategies scenario lists strategies and sizesMiB/],
  ])("refuses a bad field, naming it (%#)", (raw, message) => {
    expect(() => validateScenario(raw, "x")).toThrow(message);
  });

  it("names the file and the YAML error", () => {
    expect(() => loadScenario("/nonexistent.yaml")).toThrow(/\/nonexistent.yaml: cannot read: ENOENT/);
  });
});
