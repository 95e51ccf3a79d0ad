import { describe, expect, it } from "vitest";
import type { MoveRecord } from "../../../../../src/api-types/scheduler.js";
import { memberView, transferOf } from "../../../../../scheduler/migration/group/views.js";

const move = (metrics: Partial<NonNullable<MoveRecord["metrics"]>>, over: Partial<MoveRecord> = {}): MoveRecord =>
  ({ id: "m-1", task: { id: "db" }, from: "edge1", to: "cloud1", state: "COMPLETED", metrics, ...over }) as MoveRecord;

describe("group views", () => {
  it("a transfer is the bytes sent before resume over the agent's transfer time (post-copy's later pages are no measure of the link)", () => {
    expect(transferOf(move({ bytesBeforeResume: 5_000_000, bytesAfterResume: 270_000_000, transferMs: 100, frozenMs: 900 }))).toEqual({ task: "db", bytes: 5_000_000, ms: 100, mbps: 400 });
  });

  it("falls back to the downtime when no transfer time was measured, and measures nothing without bytes", () => {
    expect(transferOf(move({ bytesBeforeResume: 1_000_000, transferMs: null, frozenMs: 1000 }))?.mbps).toBe(8);
    expect(transferOf(move({ bytesBeforeResume: 0, transferMs: 100 }))).toBeUndefined();
    expect(transferOf(move({}))).toBeUndefined();
  });

  it("a member's view: its phase beside its move's state, where it runs, its downtime", () => {
    const m = { task: "db", group: { name: "shop", member: "db", order: 0, replica: 0 }, from: "edge1" };
    expect(memberView(m, {}, "edge1", undefined, undefined)).toEqual({
      task: "db",
      member: "db",
      replica: 0,
      order: 0,
      from: "edge1",
      runsOn: "edge1",
      phase: "Start",
      state: null,
      migration: null,
      backMigration: null,
      backState: null,
      downtimeMs: null,
    });
    const back = move({}, { id: "m-2", state: "COMPLETED" });
    expect(memberView(m, { migration: "m-1", back: "m-2" }, "edge1", move({ frozenMs: 150 }), back)).toMatchObject({ phase: "Moved back", state: "COMPLETED", backState: "COMPLETED", downtimeMs: 150, migration: "m-1", backMigration: "m-2" });
    expect(memberView(m, { error: "x" }, undefined, undefined, undefined)).toMatchObject({ runsOn: "(released)", error: "x" });
  });
});
