import { describe, expect, it } from "vitest";
import {
  canTransition,
  failureTarget,
  IllegalTransition,
  isFinal,
  MIGRATION_STATES,
  statusOf,
  TRANSITIONS,
  transition,
} from "../../../../scheduler/migration/states.js";

describe("migration state machine", () => {
  it("has exactly this transition table", () => {
    expect(TRANSITIONS).toEqual({
      PENDING: ["PLANNING", "FAILED"],
      PLANNING: ["PREPARATION", "FAILED"],
      PREPARATION: ["EXECUTION", "ROLLING_BACK"],
      EXECUTION: ["VERIFICATION", "ROLLING_BACK"],
      VERIFICATION: ["COMPLETED", "ROLLING_BACK"],
      ROLLING_BACK: ["FAILED"],
      COMPLETED: [],
      FAILED: [],
    });
  });

  it("reaches FAILED from every non-final state, through ROLLING_BACK once something may have changed", () => {
    for (const s of MIGRATION_STATES.filter((x) => !isFinal(x))) {
      const via = failureTarget(s);
      expect(canTransition(s, via)).toBe(true);
      if (via !== "FAILED") expect(canTransition(via, "FAILED")).toBe(true);
    }
    expect((["PENDING", "PLANNING"] as const).map(failureTarget)).toEqual(["FAILED", "FAILED"]);
    expect((["PREPARATION", "EXECUTION", "VERIFICATION"] as const).map(failureTarget)).toEqual(["ROLLING_BACK", "ROLLING_BACK", "ROLLING_BACK"]);
  });

  it("refuses illegal moves with a message that lists the legal ones", () => {
    expect(transition("PENDING", "PLANNING")).toBe("PLANNING");
    expect(() => transition("PENDING", "EXECUTION")).toThrow(IllegalTransition);
    expect(() => transition("EXECUTION", "FAILED")).toThrow("illegal migration transition EXECUTION -> FAILED (allowed: VERIFICATION, ROLLING_BACK)");
    expect(() => transition("COMPLETED", "ROLLING_BACK")).toThrow("(allowed: none, final)");
    expect(() => transition("FAILED", "PENDING")).toThrow(IllegalTransition);
  });

  it("maps states to the coarse status of MoveRecord", () => {
    expect(MIGRATION_STATES.map(statusOf)).toEqual(["requested", "running", "running", "running", "running", "done", "running", "failed"]);
  });
});
