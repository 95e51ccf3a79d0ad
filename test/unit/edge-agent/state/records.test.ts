// The agent's stored records: the shape check of a line read back, the diff
// the journal writes, and the journal itself (torn last line dropped).
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { WorkloadRecord } from "../../../../edge-agent/runtime/types.js";
import { AGENT_STATE_FILE, AgentJournal } from "../../../../edge-agent/state/journal.js";
import { type AgentSnapshot, AgentTables, isAgentChange } from "../../../../edge-agent/state/records.js";

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

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("agent state records", () => {
  it("accepts a stored workload or pending create of the right shape, and nothing else", () => {
    expect(isAgentChange({ kind: "workload", key: "w1", value: { record: record("w1"), startTime: 99 } })).toBe(true);
    expect(isAgentChange({ kind: "workload", key: "w1", value: null })).toBe(true);
    expect(isAgentChange({ kind: "workload", key: "w2", value: { record: record("w1") } })).toBe(false);
    expect(isAgentChange({ kind: "workload", key: "w1", value: { record: { ...record("w1"), runtime: "vm" } } })).toBe(false);
    expect(isAgentChange({ kind: "workload", key: "w1", value: { record: record("w1"), startTime: "99" } })).toBe(false);
    expect(isAgentChange({ kind: "pending", key: "w1", value: { id: "w1", spec: {}, cgroup: "g", at: "" } })).toBe(true);
    expect(isAgentChange({ kind: "pending", key: "w1", value: { id: "w1", spec: {} } })).toBe(false);
    expect(isAgentChange({ kind: "other", key: "w1", value: null })).toBe(false);
  });

  it("diffs the workload map against what is written", () => {
    const t = new AgentTables();
    const now: AgentSnapshot = { workloads: [{ record: record("a"), startTime: 1 }], pending: [{ id: "b", spec: record("b").spec, cgroup: "g", at: "" }] };
    const first = t.diff(now);
    expect(first.map((c) => `${c.kind}:${c.key}`)).toEqual(["workload:a", "pending:b"]);
    for (const c of first) t.apply(c);
    expect(t.diff(now)).toEqual([]);
    const later: AgentSnapshot = { workloads: [{ record: record("a", { state: "exited" }), startTime: 1 }], pending: [] };
    expect(t.diff(later).map((c) => `${c.kind}:${c.key}:${c.value === null ? "deleted" : "put"}`)).toEqual(["workload:a:put", "pending:b:deleted"]);
  });

  it("journals each sync as one line and reopens to the same records, a torn last line dropped", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fmdur-agent-"));
    dirs.push(dir);
    let now: AgentSnapshot = { workloads: [{ record: record("a"), startTime: 7 }], pending: [] };
    const { journal } = await AgentJournal.open(dir, () => now);
    await journal.sync();
    now = { workloads: [...now.workloads, { record: record("b"), startTime: 8 }], pending: [] };
    await journal.sync();
    await journal.close();
    appendFileSync(path.join(dir, AGENT_STATE_FILE), '{"changes":[{"kind":"workload","key":"c"');
    const again = await AgentJournal.open(dir, () => now);
    expect(again.snapshot.workloads.map((w) => [w.record.id, w.startTime])).toEqual([
      ["a", 7],
      ["b", 8],
    ]);
    expect(again.dropped).toEqual([expect.stringContaining("torn last line")]);
    await again.journal.close();
  });
});
