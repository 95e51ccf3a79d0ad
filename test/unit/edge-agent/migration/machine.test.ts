import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyEvent, canMove, commitRefusal, newMigration, rollbackRefusal } from "../../../../edge-agent/migration/machine.js";
import type { MigrationPhase } from "../../../../edge-agent/migration/strategy.js";

const PHASES: MigrationPhase[] = ["pending", "preparing", "dumping", "transferring", "restoring", "verifying", "serving-pages", "committing", "done", "rolling-back", "failed"];
const at = "2026-01-01T00:00:00.000Z";

describe("migration state machine", () => {
  it("walks a stop-and-copy run to done", () => {
    let rec = newMigration("m1", "w", "http://d", "stopcopy");
    for (const phase of ["preparing", "dumping", "transferring", "restoring", "verifying", "committing", "done"] as MigrationPhase[])
      rec = applyEvent(rec, { migrationId: "m1", phase, at });
    expect(rec.phase).toBe("done");
    expect(rec.status).toBe("succeeded");
    expect(rec.endedAt).toBe(at);
  });

  it("fails only through rolling-back, and never leaves done or failed", () => {
    expect(canMove("transferring", "failed")).toBe(false);
    expect(canMove("transferring", "rolling-back")).toBe(true);
    expect(canMove("rolling-back", "failed")).toBe(true);
    expect(canMove("done", "rolling-back")).toBe(false);
    expect(canMove("failed", "pending")).toBe(false);
    expect(canMove("verifying", "dumping")).toBe(false);
  });

  it("ignores an illegal phase but keeps its progress numbers", () => {
    let rec = newMigration("m1", "w", "http://d", "auto");
    rec = applyEvent(rec, { migrationId: "m1", phase: "transferring", bytes: 10, totalBytes: 100, rateBps: 5, at });
    rec = applyEvent(rec, { migrationId: "m1", phase: "dumping", bytes: 20, at });
    expect(rec.phase).toBe("transferring");
    expect(rec.progress).toEqual({ bytes: 20, totalBytes: 100, rateBps: 5 });
  });

  it("any event sequence ends terminal at most once, and terminal states stick", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PHASES), { maxLength: 30 }), (seq) => {
        let rec = newMigration("m", "w", "http://d", "auto");
        let terminalSeen: string | undefined;
        for (const phase of seq) {
          rec = applyEvent(rec, { migrationId: "m", phase, at });
          if (terminalSeen) expect(rec.phase).toBe(terminalSeen);
          if (rec.phase === "done" || rec.phase === "failed") terminalSeen = rec.phase;
        }
        expect(rec.status === "running").toBe(!terminalSeen);
      }),
    );
  });
});

describe("manual commit phases", () => {
  it("awaiting-commit follows verifying or serving-pages, and is left only by commit or rollback", () => {
    expect(canMove("verifying", "awaiting-commit")).toBe(true);
    expect(canMove("serving-pages", "awaiting-commit")).toBe(true);
    expect(canMove("awaiting-commit", "committing")).toBe(true);
    expect(canMove("awaiting-commit", "rolling-back")).toBe(true);
    expect(canMove("awaiting-commit", "serving-pages")).toBe(false);
    expect(canMove("awaiting-commit", "done")).toBe(false);
    expect(canMove("awaiting-commit", "awaiting-commit")).toBe(false);
  });

  it("commit only while awaiting it; rollback in any live phase, not once the source let go", () => {
    const rec = (phase: MigrationPhase) => ({ id: "m1", phase });
    expect(commitRefusal(rec("awaiting-commit"))).toBeUndefined();
    for (const p of ["pending", "transferring", "serving-pages", "committing", "done", "failed"] as MigrationPhase[]) expect(commitRefusal(rec(p))).toMatch(/m1/);
    for (const p of ["pending", "dumping", "transferring", "restoring", "verifying", "serving-pages", "awaiting-commit"] as MigrationPhase[])
      expect(rollbackRefusal(rec(p))).toBeUndefined();
    for (const p of ["committing", "done", "rolling-back", "failed"] as MigrationPhase[]) expect(rollbackRefusal(rec(p))).toMatch(/m1/);
  });
});
