import { describe, expect, it } from "vitest";
import { DeviceAnswers, deviceSeenDowntime } from "../../../../scheduler/migration/device-downtime.js";

// Answers every 50 ms from t=0, none between 400 and 1000, then every 50 ms again.
const steady = (from: number, to: number, every = 50) => Array.from({ length: Math.floor((to - from) / every) + 1 }, (_, i) => from + i * every);
const window = { frozenAtMs: 420, resumedAtMs: 900 };

describe("deviceSeenDowntime", () => {
  it("is the longest gap around the window minus the normal gap", () => {
    const answers = [...steady(0, 400), ...steady(1000, 1300)];
    expect(deviceSeenDowntime(answers, window)).toEqual({ downtimeMs: 550, normalGapMs: 50, longestGapMs: 600 });
  });

  it("takes answers in any order", () => {
    const answers = [...steady(1000, 1300), ...steady(0, 400)].reverse();
    expect(deviceSeenDowntime(answers, window)?.downtimeMs).toBe(550);
  });

  it("is zero when the device never waited longer than usual", () => {
    expect(deviceSeenDowntime(steady(0, 1500), window)).toEqual({ downtimeMs: 0, normalGapMs: 50, longestGapMs: 50 });
  });

  it("is unknown without three answers before the freeze, or without one after the resume", () => {
    expect(deviceSeenDowntime([...steady(0, 100).slice(0, 2), ...steady(1000, 1100)], window)).toBeUndefined();
    expect(deviceSeenDowntime(steady(0, 400), window)).toBeUndefined();
  });
});

describe("DeviceAnswers", () => {
  it("keeps a watched task's answers until its figure is known, then forgets it", () => {
    const d = new DeviceAnswers();
    d.watch("t1", "m-1", 0);
    expect(d.add("t2", [1, 2, 3], 0)).toBeUndefined(); // not watched
    expect(d.add("t1", steady(0, 400), 10)).toBe("m-1");
    expect(d.figure("t1", "m-1", window)).toBeUndefined(); // nothing after the resume yet
    d.add("t1", steady(1000, 1100), 20);
    expect(d.figure("t1", "m-2", window)).toBeUndefined(); // another move's
    expect(d.figure("t1", "m-1", window)?.downtimeMs).toBe(550);
    expect(d.size).toBe(0);
  });

  it("is bounded: the oldest answers go past maxAnswers, and a watch expires after keepMs", () => {
    const d = new DeviceAnswers(5, 1000);
    d.watch("t1", "m-1", 0);
    d.add("t1", [1, 2, 3, 4, 5, 6, 7], 0);
    // Only 3..7 kept: three before a freeze at 6 (3, 4, 5), one after a resume at 7.
    expect(d.figure("t1", "m-1", { frozenAtMs: 5.5, resumedAtMs: 7 })).toEqual({ downtimeMs: 0, normalGapMs: 1, longestGapMs: 1 });
    d.watch("t2", "m-2", 0);
    expect(d.add("t2", [1], 5000)).toBeUndefined();
    expect(d.size).toBe(0);
  });
});
