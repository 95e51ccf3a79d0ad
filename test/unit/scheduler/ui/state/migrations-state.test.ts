// The migrations view model: transition events walk a move through its states
// live, a record read later fills in figures and log lines without taking a
// state back, and rows come newest first.
import { describe, expect, it } from "vitest";
import type { MoveRecord } from "../../../../../src/api-types/scheduler.js";
import type { SchedulerUiEvent } from "../../../../../scheduler/ui/state/events.js";
import { applyMigrationEvent, emptyMigrations, migrationRows, withRecord } from "../../../../../scheduler/ui/state/migrations-state.js";

const task = { id: "t-1", device: "cam", workload: "detect", inputClass: "small", delayBudgetMs: 300 };
const record = (over: Partial<MoveRecord> = {}): MoveRecord => ({ id: "m-1", task, from: "edge1", to: "cloud1", cpuShare: 0.5, status: "requested", requestedAt: "2026-12-02T10:00:00.000Z", state: "PENDING", ...over });
const transition = (previous: string | null, state: string, at: string, error?: string): SchedulerUiEvent =>
  ({ type: "migration.transition", migration: "m-1", task: "t-1", from: "edge1", to: "cloud1", previous, state, at, ...(error ? { error } : {}) }) as SchedulerUiEvent;

describe("migrations view model", () => {
  it("walks PENDING ... COMPLETED as the transition events arrive", () => {
    let s = applyMigrationEvent(emptyMigrations(), { type: "migration-requested", migration: record(), at: "2026-12-02T10:00:00.000Z" });
    expect(migrationRows(s)[0]).toMatchObject({ id: "m-1", state: "PENDING", final: false, path: ["PENDING"] });
    const states = ["PLANNING", "PREPARATION", "EXECUTION", "VERIFICATION", "COMPLETED"];
    let previous = "PENDING";
    for (const [i, st] of states.entries()) {
      s = applyMigrationEvent(s, transition(previous, st, `2026-12-02T10:00:0${i + 1}.000Z`));
      previous = st;
      expect(s.get("m-1")!.state).toBe(st);
    }
    const row = s.get("m-1")!;
    expect(row.path).toEqual(["PENDING", ...states]);
    expect(row.final).toBe(true);
    expect(row.timeline.map((t) => t.message).at(-1)).toBe("VERIFICATION -> COMPLETED");
  });

  it("a move first seen by a transition gets a row from the event alone, with its error when it fails", () => {
    const s = applyMigrationEvent(emptyMigrations(), transition("PLANNING", "FAILED", "2026-12-02T10:00:01.000Z", "policy denies"));
    expect(s.get("m-1")).toMatchObject({ state: "FAILED", path: ["PLANNING", "FAILED"], error: "policy denies", final: true, task: "t-1", from: "edge1", to: "cloud1" });
  });

  it("a record read after the events fills figures and log lines but never takes the state back", () => {
    let s = applyMigrationEvent(emptyMigrations(), { type: "migration-requested", migration: record(), at: "2026-12-02T10:00:00.000Z" });
    s = applyMigrationEvent(s, transition("PENDING", "PLANNING", "2026-12-02T10:00:01.000Z"));
    s = applyMigrationEvent(s, transition("PLANNING", "PREPARATION", "2026-12-02T10:00:02.000Z"));
    // A record read while it was still PLANNING, answered late.
    const stale = record({
      state: "PLANNING",
      status: "running",
      strategy: "postcopy",
      timeline: [
        { at: "2026-12-02T10:00:00.000Z", state: "PENDING", component: "MigrationManager", message: "requested" },
        { at: "2026-12-02T10:00:01.000Z", state: "PLANNING", component: "MigrationManager", message: "planning" },
      ],
      log: ["INFO [MigrationManager]: m-1 - Transitioning: PENDING -> PLANNING"],
    });
    s = withRecord(s, stale);
    expect(s.get("m-1")).toMatchObject({ state: "PREPARATION", strategy: "postcopy", path: ["PENDING", "PLANNING", "PREPARATION"] });
    // The final record: figures, the whole timeline and log.
    const done = record({
      state: "COMPLETED",
      status: "done",
      strategy: "postcopy",
      timeline: ["PENDING", "PLANNING", "PREPARATION", "EXECUTION", "VERIFICATION", "COMPLETED"].map((st, i) => ({ at: `2026-12-02T10:00:0${i}.000Z`, state: st as never, component: "MigrationManager" as const, message: st })),
      log: ["a", "b", "Final State: COMPLETED"],
      metrics: { totalMs: 5000, frozenMs: 312, networkReconfigurationMs: 4.5 } as MoveRecord["metrics"],
    });
    s = withRecord(s, done);
    expect(s.get("m-1")).toMatchObject({ state: "COMPLETED", final: true, downtimeMs: 312, reconfigurationMs: 4.5, totalMs: 5000, log: ["a", "b", "Final State: COMPLETED"] });
    expect(s.get("m-1")!.path).toEqual(["PENDING", "PLANNING", "PREPARATION", "EXECUTION", "VERIFICATION", "COMPLETED"]);
  });

  it("rows come newest first; other events change nothing", () => {
    let s = withRecord(emptyMigrations(), record({ id: "m-1", requestedAt: "2026-12-02T10:00:00.000Z" }));
    s = withRecord(s, record({ id: "m-2", requestedAt: "2026-12-02T10:05:00.000Z" }));
    expect(migrationRows(s).map((r) => r.id)).toEqual(["m-2", "m-1"]);
    expect(applyMigrationEvent(s, { type: "released", task: "t-1", node: "edge1", at: "x" })).toBe(s);
  });
});
