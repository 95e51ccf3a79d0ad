// The re-adoption decision of a restarted agent for a direct workload: its
// PID alive, with the recorded start time, in the recorded group.
import { describe, expect, it } from "vitest";
import { adoptionDecision } from "../../../../edge-agent/runtime/reattach.js";
import type { WorkloadRecord } from "../../../../edge-agent/runtime/types.js";

const record = (id: string, over: Partial<WorkloadRecord> = {}): WorkloadRecord => ({
  id,
  runtime: "direct",
  spec: { command: ["sleep", "600"], cpuLimit: 0.2, ports: [], labels: {} },
  state: "running",
  createdAt: "2026-01-01T00:00:00.000Z",
  pid: 4242,
  cgroup: `fleximigrate/n1/${id}.0a0b0c0d`,
  ...over,
});

describe("re-adoption decision", () => {
  const stored = { record: record("w1"), startTime: 5000 };
  const decide = (s: { record: WorkloadRecord; startTime?: number }, now: Parameters<typeof adoptionDecision>[2]) => adoptionDecision(s.record, s.startTime, now);
  const same = { startTime: 5000, cgroup: "fleximigrate/n1/w1.0a0b0c0d", zombie: false };

  it("takes back a PID that runs with the recorded start time in the recorded group", () => {
    expect(decide(stored, same)).toEqual({ adopt: true });
  });

  it("refuses a PID that is gone, a zombie, reused (other start time) or in another group", () => {
    expect(decide(stored, undefined)).toEqual({ adopt: false, reason: expect.stringMatching(/ended while the agent was down/) });
    expect(decide(stored, { ...same, zombie: true })).toMatchObject({ adopt: false });
    expect(decide(stored, { ...same, startTime: 5001 })).toEqual({ adopt: false, reason: expect.stringMatching(/PID 4242 is now another process/) });
    expect(decide(stored, { ...same, cgroup: "fleximigrate/n1/w1.ffffffff" })).toEqual({ adopt: false, reason: expect.stringMatching(/not its own/) });
    expect(decide({ record: record("w1") }, same)).toEqual({ adopt: false, reason: expect.stringMatching(/start time was not recorded/) });
    expect(decide({ record: record("w1", { pid: undefined }) }, same)).toMatchObject({ adopt: false });
  });
});
