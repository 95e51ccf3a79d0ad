// What a restarted agent does with each recorded workload, against faked
// process identities and runtimes: take back, mark exited (with why its
// status is unknown), keep a source mid-migration frozen, undo an
// uncommitted copy in and an unfinished create.
import { describe, expect, it } from "vitest";
import type { ProcessIdentity } from "../../../../edge-agent/runtime/proc-identity.js";
import { adoptionDecision } from "../../../../edge-agent/runtime/reattach.js";
import type { WorkloadExit, WorkloadRecord } from "../../../../edge-agent/runtime/types.js";
import { type ReadoptDeps, readoptWorkloads } from "../../../../edge-agent/state/readopt.js";
import type { AgentSnapshot } from "../../../../edge-agent/state/records.js";

const spec = { command: ["sleep", "600"], cpuLimit: 0.2, ports: [8080], labels: {} };
const record = (id: string, pid: number, over: Partial<WorkloadRecord> = {}): WorkloadRecord => ({
  id,
  runtime: "direct",
  spec,
  state: "running",
  createdAt: "t0",
  pid,
  cgroup: `fleximigrate/n1/${id}.00000000`,
  ...over,
});

function fakes(procs: Record<number, ProcessIdentity>, docker: Record<string, WorkloadExit | undefined> = {}) {
  const calls: string[] = [];
  const deps: ReadoptDeps = {
    // As the runtimes do it: Docker by its container, direct by PID, start time and group.
    reattach: async (r, startTime) => {
      if (r.containerId) {
        const exit = docker[r.containerId];
        return exit ? { runs: false, exit } : { runs: true };
      }
      const d = adoptionDecision(r, startTime, r.pid ? procs[r.pid] : undefined);
      if (!d.adopt) return { runs: false, exit: { at: "t1", reason: d.reason } };
      calls.push(`reattach ${r.id}`);
      return { runs: true };
    },
    undoStart: async (id, _spec, cgroup) => {
      calls.push(`undo ${id} ${cgroup}`);
    },
    remove: async (r) => {
      calls.push(`remove ${r.id}`);
    },
    workRoot: "/dev/shm/w",
  };
  return { deps, calls };
}

describe("readoptWorkloads", () => {
  it("takes back live trees, marks dead or reused ones exited, and undoes what was unfinished", async () => {
    const snap: AgentSnapshot = {
      workloads: [
        { record: record("alive", 100), startTime: 11 },
        { record: record("dead", 101), startTime: 12 },
        { record: record("reused", 102), startTime: 13 },
        { record: record("done", 103, { state: "exited", exit: { code: 3, at: "t0" } }), startTime: 14 },
        { record: record("moving", 104, { state: "migrating" }), startTime: 15, outgoing: { migrationId: "m-1", destination: "http://b", phase: "transferring" } },
        { record: record("copy-in", 105, { state: "migrating", migratedFrom: { agent: "a", workloadId: "x", migrationId: "m-2" } }), startTime: 16 },
        { record: { ...record("box", 0, { runtime: "docker", containerId: "c1" }), pid: undefined } },
        { record: { ...record("gone-box", 0, { runtime: "docker", containerId: "c2" }), pid: undefined } },
      ],
      pending: [
        { id: "half", spec, cgroup: "fleximigrate/n1/half.11111111", at: "t0" },
        { id: "alive", spec, cgroup: "fleximigrate/n1/alive.00000000", at: "t0" },
      ],
    };
    const group = (id: string) => `fleximigrate/n1/${id}.00000000`;
    const { deps, calls } = fakes(
      {
        100: { startTime: 11, cgroup: group("alive"), zombie: false },
        102: { startTime: 99, cgroup: "user.slice", zombie: false },
        104: { startTime: 15, cgroup: group("moving"), zombie: false },
        105: { startTime: 16, cgroup: group("copy-in"), zombie: false },
      },
      { c2: { code: 137, at: "t1" } },
    );
    const { workloads } = await readoptWorkloads(snap, deps);
    const by = new Map(workloads.map((w) => [w.id, w]));
    expect(by.get("alive")?.state).toBe("running");
    expect(by.get("dead")).toMatchObject({ state: "exited", exit: { at: "t1", reason: expect.stringMatching(/ended while the agent was down/) } });
    expect(by.get("dead")?.exit?.code).toBeUndefined();
    expect(by.get("reused")).toMatchObject({ state: "exited", exit: { reason: expect.stringMatching(/now another process/) } });
    expect(by.get("done")).toMatchObject({ state: "exited", exit: { code: 3 } });
    expect(by.get("moving")).toMatchObject({ state: "frozen", note: expect.stringMatching(/m-1.*\/dev\/shm\/w\/m-1/) });
    expect(by.has("copy-in")).toBe(false);
    expect(by.get("box")?.state).toBe("running");
    expect(by.get("gone-box")).toMatchObject({ state: "exited", exit: { code: 137 } });
    // Only the create that never got its record is undone; the live tree is taken back, never resumed or killed.
    expect(calls.sort()).toEqual(["reattach alive", "reattach moving", "remove copy-in", "undo half fleximigrate/n1/half.11111111"]);
  });
});
