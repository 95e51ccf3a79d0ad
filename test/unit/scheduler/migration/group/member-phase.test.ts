import { describe, expect, it } from "vitest";
import { memberPhase } from "../../../../../scheduler/migration/group/member-phase.js";

describe("a member's state beside its move's", () => {
  it("Start until the agent works on it", () => {
    expect(memberPhase({})).toBe("Start");
    for (const state of ["PENDING", "PLANNING", "PREPARATION"] as const) expect(memberPhase({ state })).toBe("Start");
  });

  it("Snapshot while dumped, Ready once the image is taken, In process once it runs at the destination", () => {
    expect(memberPhase({ state: "EXECUTION", metrics: { dumpMs: null } })).toBe("Snapshot");
    expect(memberPhase({ state: "EXECUTION", metrics: { dumpMs: 120 } })).toBe("Ready");
    expect(memberPhase({ state: "EXECUTION", metrics: { dumpMs: 120 }, destinationWorkloadId: "t-1" })).toBe("In process");
    expect(memberPhase({ state: "VERIFICATION" })).toBe("In process");
  });

  it("Migrated, Failed, Moved back", () => {
    expect(memberPhase({ state: "COMPLETED" })).toBe("Migrated");
    expect(memberPhase({ state: "ROLLING_BACK" })).toBe("Failed");
    expect(memberPhase({ state: "FAILED" })).toBe("Failed");
    expect(memberPhase({ state: "COMPLETED", backState: "EXECUTION" })).toBe("Migrated");
    expect(memberPhase({ state: "COMPLETED", backState: "COMPLETED" })).toBe("Moved back");
  });
});
