import { describe, expect, it } from "vitest";
import { treeNotRunning } from "../../../../edge-agent/runtime/tree-check.js";

const s = (cpuTicks: number, states: string) => ({ pids: states.length, cpuTicks, states: [...states] });

describe("process-tree check", () => {
  it("runs: CPU time advances, or every process waits (an idle server)", () => {
    expect(treeNotRunning(s(10, "SR"), s(12, "SR"))).toBeUndefined();
    expect(treeNotRunning(s(10, "SS"), s(10, "SS"))).toBeUndefined();
  });

  it("does not run: gone, stopped, dead, lost processes, or runnable without progress", () => {
    expect(treeNotRunning(undefined, s(1, "S"))).toEqual({ reason: expect.stringMatching(/gone/), final: true });
    expect(treeNotRunning(s(1, "S"), undefined)).toEqual({ reason: expect.stringMatching(/gone/), final: true });
    expect(treeNotRunning(s(1, "SS"), s(5, "ST"))).toEqual({ reason: expect.stringMatching(/stopped or dead/), final: true });
    expect(treeNotRunning(s(1, "SS"), s(5, "SZ"))).toEqual({ reason: expect.stringMatching(/stopped or dead/), final: true });
    expect(treeNotRunning(s(1, "SSS"), s(5, "SS"))).toEqual({ reason: expect.stringMatching(/lost processes/), final: true });
  });

  it("runnable without CPU yet (a throttled quota) is not final: look again", () => {
    expect(treeNotRunning(s(5, "RS"), s(5, "RS"))).toEqual({ reason: expect.stringMatching(/did not advance/), final: false });
  });
});
