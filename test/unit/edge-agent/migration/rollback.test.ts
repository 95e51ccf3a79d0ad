// The order of a rollback, with fake steps: after the destination ran the
// workload, the source's copy runs again before the destination's is dropped;
// before that, the destination goes first (and an unreachable one is waited out).
import { describe, expect, it } from "vitest";
import { type RollbackSteps, rollBack } from "../../../../edge-agent/migration/rollback.js";

function fakes(opts: { abortFails?: boolean; resumeFails?: boolean } = {}) {
  const calls: string[] = [];
  const steps: RollbackSteps = {
    async resumeSource() {
      calls.push("resume-source");
      if (opts.resumeFails) throw new Error("no images");
    },
    async abortDestination() {
      calls.push("abort-destination");
      if (opts.abortFails) throw new Error("unreachable");
    },
    async commitDestination() {
      calls.push("commit-destination");
    },
    async waitOrphanTime() {
      calls.push("wait-orphan");
    },
    log: () => {},
  };
  return { calls, steps };
}

describe("rollback order", () => {
  it("after resume: the source runs first, then the destination's copy goes", async () => {
    const { calls, steps } = fakes();
    const out = await rollBack(steps, { destinationOpen: true, resumed: true });
    expect(calls).toEqual(["resume-source", "abort-destination"]);
    expect(out).toMatchObject({ runsOn: "source", destinationAborted: true });
    expect(out.destinationDroppedAt).toBeGreaterThan(0);
  });

  it("after resume, a source that cannot run again keeps the destination's copy (never zero copies)", async () => {
    const { calls, steps } = fakes({ resumeFails: true });
    const out = await rollBack(steps, { destinationOpen: true, resumed: true });
    expect(calls).toEqual(["resume-source", "commit-destination"]);
    expect(calls).not.toContain("abort-destination");
    expect(out).toMatchObject({ runsOn: "destination", sourceError: "no images" });
  });

  it("after resume, an unreachable destination does not stop the source from running", async () => {
    const { calls, steps } = fakes({ abortFails: true });
    const out = await rollBack(steps, { destinationOpen: true, resumed: true });
    expect(calls).toEqual(["resume-source", "abort-destination"]);
    expect(out).toMatchObject({ runsOn: "source", destinationAborted: false });
  });

  it("before resume: the destination goes first; unreachable, its orphan time is waited out before the source runs", async () => {
    const reached = fakes();
    await rollBack(reached.steps, { destinationOpen: true, resumed: false });
    expect(reached.calls).toEqual(["abort-destination", "resume-source"]);
    const unreachable = fakes({ abortFails: true });
    await rollBack(unreachable.steps, { destinationOpen: true, resumed: false });
    expect(unreachable.calls).toEqual(["abort-destination", "wait-orphan", "resume-source"]);
    const never = fakes();
    await rollBack(never.steps, { destinationOpen: false, resumed: false });
    expect(never.calls).toEqual(["resume-source"]);
  });
});
