import { describe, expect, it } from "vitest";
import { COMPONENTS, formatFinal, formatMessage, formatTransition, note } from "../../../../scheduler/migration/log.js";

describe("migration log lines", () => {
  it("has the exact shapes", () => {
    expect(formatTransition("INFO", "MigrationManager", "Starting migration", "PENDING", "PLANNING")).toBe(
      "INFO [MigrationManager]: Starting migration - Transitioning: PENDING -> PLANNING",
    );
    expect(formatFinal("INFO", "MigrationManager", "COMPLETED")).toBe("INFO [MigrationManager]: Final State: COMPLETED");
    expect(formatMessage("WARN", "NetworkManager", "no controller configured")).toBe("WARN [NetworkManager]: no controller configured");
    expect(COMPONENTS).toEqual(["MigrationManager", "PolicyEnforcer", "ResourceAllocator", "StateSynchronizer", "NetworkManager", "DataProtection"]);
  });

  it("note adds a log line and a timeline entry at the record's state", () => {
    const rec = { state: "PLANNING" as const, timeline: [], log: [] as string[] };
    note(rec, "2026-01-01T00:00:00.000Z", "INFO", "PolicyEnforcer", "policy allows the move");
    expect(rec.log).toEqual(["INFO [PolicyEnforcer]: policy allows the move"]);
    expect(rec.timeline).toEqual([{ at: "2026-01-01T00:00:00.000Z", state: "PLANNING", component: "PolicyEnforcer", message: "policy allows the move" }]);
  });
});
