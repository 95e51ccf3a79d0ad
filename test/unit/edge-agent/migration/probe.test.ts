// The process-tree probe for workloads the agent cannot ask over HTTP: it
// needs the destination to say "runs" twice, some time apart, and fails at
// once when the destination found the tree ended (no 20 s HTTP wait).
import { describe, expect, it } from "vitest";
import { startTreeProbe } from "../../../../edge-agent/migration/probe.js";

describe("process-tree probe", () => {
  it("confirms a running tree and times the downtime from the freeze", async () => {
    const answers: Array<boolean | "ended"> = [false, true, true, true, true, true, true, true];
    let asked = 0;
    const probe = startTreeProbe(async () => answers[Math.min(asked++, answers.length - 1)]!, { intervalMs: 5, confirmMs: 20 });
    await probe.quiesceSource();
    const downtime = await probe.waitForDestination(2000);
    expect(downtime).toBeGreaterThanOrEqual(0);
    expect(asked).toBeGreaterThan(2);
    expect(probe.lastSourceAnswerAt()).toBeDefined();
  });

  it("fails fast when the destination's check found the tree ended", async () => {
    let asked = 0;
    const probe = startTreeProbe(
      async () => {
        asked++;
        return "ended";
      },
      { intervalMs: 5 },
    );
    await expect(probe.waitForDestination(10_000)).rejects.toThrow(/found it stopped, dead or not advancing/);
    expect(asked).toBe(1);
  });

  it("an unreachable destination is not a verdict: it keeps asking until the time is up", async () => {
    let asked = 0;
    const probe = startTreeProbe(
      async () => {
        asked++;
        throw new Error("ECONNREFUSED");
      },
      { intervalMs: 5 },
    );
    await expect(probe.waitForDestination(60)).rejects.toThrow(/asked for 60 ms/);
    expect(asked).toBeGreaterThan(1);
  });
});
