// The pure half of `bench loop`: the downtime a device saw from its answers'
// times, the rows built from a move's metrics, the table and the goals.
import { describe, expect, it } from "vitest";
import { deviceDowntime, emptyRow, type LoopRow, loopGoals, loopTable, median, rowOf } from "../../../bench/loop-report.js";

/** Answers every `every` ms from `from` to `to` (inclusive). */
const ticks = (from: number, to: number, every: number) => Array.from({ length: Math.floor((to - from) / every) + 1 }, (_, i) => from + i * every);

describe("deviceDowntime", () => {
  it("is the longest gap during the move minus the normal interval before it", () => {
    // Every 20 ms until 1000, nothing until 1500, then every 20 ms again; the move ran 990..1600.
    const at = [...ticks(0, 1000, 20), ...ticks(1500, 2000, 20)];
    expect(deviceDowntime(at, 990, 1600)).toEqual({ normalIntervalMs: 20, longestGapMs: 500, downtimeMs: 480 });
  });

  it("counts a gap that began before the move's request when it ends during the move", () => {
    const at = [...ticks(0, 1000, 50), 1400, ...ticks(1450, 2000, 50)];
    expect(deviceDowntime(at, 1010, 1300)).toMatchObject({ normalIntervalMs: 50, longestGapMs: 400, downtimeMs: 350 });
  });

  it("ignores gaps before or after the move", () => {
    // A long gap at 200..700, well before the move at 1000..1100.
    const at = [...ticks(0, 200, 20), ...ticks(700, 2000, 20)];
    expect(deviceDowntime(at, 1000, 1100)).toMatchObject({ longestGapMs: 20, downtimeMs: 0 });
  });

  it("never goes below zero and rounds to 0.1 ms", () => {
    const at = [0, 30, 60, 90, 110.04, 140];
    expect(deviceDowntime(at, 95, 100)).toEqual({ normalIntervalMs: 30, longestGapMs: 20, downtimeMs: 0 });
    expect(deviceDowntime([0, 10.04, 20.08, 70.33], 25, 30)).toEqual({ normalIntervalMs: 10, longestGapMs: 50.3, downtimeMs: 40.3 });
  });

  it("has no downtime when the answers do not frame the move", () => {
    expect(deviceDowntime(ticks(0, 1000, 20), 990, 1500)).toMatchObject({ longestGapMs: null, downtimeMs: null });
    expect(deviceDowntime(ticks(1000, 2000, 20), 900, 1500).downtimeMs).toBeNull();
    expect(deviceDowntime([], 0, 10)).toEqual({ normalIntervalMs: null, longestGapMs: null, downtimeMs: null });
  });
});

it("median of an odd and an even count, and of nothing", () => {
  expect(median([3, 1, 2])).toBe(2);
  expect(median([4, 1, 3, 2])).toBe(2.5);
  expect(median([])).toBeNull();
});

const base = { sizeMiB: 256, state: "COMPLETED", connections: 1, deviceErrors: [] as string[], counterContinued: true };

function row(strategy: LoopRow["strategy"], frozenMs: number, downtimeMs: number, resumeToRedirectMs: number): LoopRow {
  return rowOf(
    { ...base, strategy },
    { frozenMs, resumeToRedirectMs, totalMs: 5000, networkReconfigurationMs: 3, decisionToAgentStartMs: 40, dumpMs: null },
    { normalIntervalMs: 20, longestGapMs: downtimeMs + 20, downtimeMs },
  );
}

describe("rowOf", () => {
  it("takes the move's metrics and the device's downtime, and their ratio", () => {
    const r = row("postcopy", 400, 500, 6);
    expect(r).toMatchObject({ strategy: "postcopy", frozenMs: 400, downtimeMs: 500, downtimeOverFrozen: 1.25, totalMs: 5000, resumeToRedirectMs: 6, dumpMs: null, restoreMs: null });
  });

  it("has no ratio without a frozen time or a downtime", () => {
    expect(rowOf({ ...base, strategy: "stopcopy" }, undefined, { normalIntervalMs: 20, longestGapMs: 100, downtimeMs: 80 }).downtimeOverFrozen).toBeNull();
    expect(emptyRow("stopcopy", 1024, "failed: refused")).toMatchObject({ state: null, downtimeMs: null, downtimeOverFrozen: null, note: "failed: refused" });
  });
});

describe("loopTable", () => {
  it("prints one line per move with its figures, errors by kind and what went wrong", () => {
    const broken = { ...row("stopcopy", 300, 900, 12), connections: 2, deviceErrors: ["ECONNRESET", "ECONNRESET"], counterContinued: false };
    const lines = loopTable([row("postcopy", 400, 500, 6), broken, emptyRow("postcopy", 1024, "failed: no agent")]).trimEnd().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]!.split(/\s{2,}/)).toEqual(expect.arrayContaining(["MiB", "strategy", "device ms", "frozen ms", "x frozen", "resume>redirect"]));
    expect(lines[1]!.split(/\s+/).slice(0, 8)).toEqual(["256", "postcopy", "COMPLETED", "500", "520", "20", "400", "1.250"]);
    expect(lines[2]).toMatch(/2\s+2 \(ECONNRESET\)\s+counter reset$/);
    expect(lines[3]).toMatch(/^1024\s+postcopy\s+-\s+-/);
    expect(lines[3]).toMatch(/failed: no agent$/);
  });
});

describe("loopGoals", () => {
  it("checks post-copy's downtime against 1.5x its frozen time and every move's redirect against 10 ms", () => {
    const text = loopGoals([row("postcopy", 400, 500, 6), row("postcopy", 400, 700, 11), row("stopcopy", 300, 900, 12), emptyRow("postcopy", 1024, "failed")]);
    const lines = text.trim().split("\n").slice(1);
    expect(lines).toEqual([
      "met     postcopy 256 MiB: device-seen downtime <= 1.5x frozen (500 / 400 ms = 1.25x)",
      "met     postcopy 256 MiB: redirect done <= 10 ms after resume (6 ms)",
      "MISSED  postcopy 256 MiB: device-seen downtime <= 1.5x frozen (700 / 400 ms = 1.75x)",
      "MISSED  postcopy 256 MiB: redirect done <= 10 ms after resume (11 ms)",
      "MISSED  stopcopy 256 MiB: redirect done <= 10 ms after resume (12 ms)",
      "n/a     postcopy 1024 MiB: device-seen downtime <= 1.5x frozen (- / - ms = -x)",
      "n/a     postcopy 1024 MiB: redirect done <= 10 ms after resume (- ms)",
    ]);
  });

  it("says nothing without rows", () => {
    expect(loopGoals([])).toBe("");
  });
});
