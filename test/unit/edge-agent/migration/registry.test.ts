// The registry picks the strategy family by the workload's runtime and binds
// each strategy and hook to the agent's runtime of that kind.
import { describe, expect, it } from "vitest";
import { type AgentRuntimes, destinationHooks, type RunnerContext, strategyFamily } from "../../../../edge-agent/migration/registry.js";
import type { Capabilities } from "../../../../edge-agent/migration/strategy.js";
import type { WorkloadRecord } from "../../../../edge-agent/runtime/types.js";

const caps = (over: Partial<Capabilities> = {}): Capabilities => ({
  criu: { present: true, version: "4.1.1", checkOk: true, features: { mem_dirty_track: false, uffd: true, "uffd-noncoop": true } },
  docker: { present: true, checkpoint: true },
  cgroupCpu: { ok: true },
  strategies: {},
  ...over,
});

/** Runtimes that log which of their calls a bound strategy or hook made. */
function fakeRuntimes() {
  const calls: string[] = [];
  const runtimes = {
    direct: { resume: async (w: WorkloadRecord) => void calls.push(`direct resume ${w.id}`) },
    docker: {
      state: async (w: WorkloadRecord) => {
        calls.push(`docker state ${w.id}`);
        return { running: true, pid: 1 };
      },
    },
  } as unknown as AgentRuntimes;
  return { runtimes, calls };
}

const workload: WorkloadRecord = { id: "w1", runtime: "direct", spec: { cpuLimit: 1, ports: [], labels: {} }, state: "migrating", createdAt: "" };
const ctx = { migrationId: "m1", workload, workDir: "/nonexistent" } as unknown as RunnerContext;

describe("strategy families", () => {
  it("process trees: the requested strategy when available, else why not", () => {
    const { runtimes } = fakeRuntimes();
    const family = strategyFamily("direct", runtimes);
    expect(family.refuses("postcopy")).toBeUndefined();
    const picked = family.choose("stopcopy", { caps: caps(), workingSetBytes: 0 });
    expect(picked).toMatchObject({ strategy: { name: "stopcopy" }, reason: "requested" });
    const refused = family.choose("precopy", { caps: caps(), workingSetBytes: 0 });
    expect(refused).toEqual({ refused: expect.stringMatching(/^strategy precopy is unavailable here: criu check --feature mem_dirty_track fails/) });
  });

  it("process trees: auto picks post-copy when stop-and-copy would stop the workload too long", () => {
    const family = strategyFamily("direct", fakeRuntimes().runtimes);
    const picked = family.choose("auto", { caps: caps(), workingSetBytes: 512 << 20, bandwidthBps: 100 << 20 });
    expect(picked).toMatchObject({ strategy: { name: "postcopy" }, reason: expect.stringMatching(/^auto: stop-and-copy would stop the workload/) });
  });

  it("Docker workloads: stop-and-copy only, and unavailable without checkpoint support", () => {
    const family = strategyFamily("docker", fakeRuntimes().runtimes);
    expect(family.refuses("postcopy")).toBe("Docker workloads migrate with stopcopy (docker checkpoint); postcopy needs a direct-runtime workload (docs/agent.md)");
    expect(family.refuses("auto")).toBeUndefined();
    expect(family.choose("auto", { caps: caps(), workingSetBytes: 0 })).toMatchObject({
      strategy: { name: "stopcopy" },
      reason: "auto: a Docker workload moves by docker checkpoint (stop-and-copy)",
    });
    expect(family.choose("stopcopy", { caps: caps({ docker: { present: true, checkpoint: false } }), workingSetBytes: 0 })).toEqual({
      refused: "Docker migration is unavailable here: the Docker engine has no checkpoint support (dockerd --experimental and criu)",
    });
  });

  it("binds each family's strategies to that family's runtime", async () => {
    const { runtimes, calls } = fakeRuntimes();
    const tree = strategyFamily("direct", runtimes).choose("stopcopy", { caps: caps(), workingSetBytes: 0 });
    const docker = strategyFamily("docker", runtimes).choose("stopcopy", { caps: caps(), workingSetBytes: 0 });
    if ("refused" in tree || "refused" in docker) throw new Error("expected both families to choose");
    await tree.strategy.resumeSource(ctx);
    // A running container needs no restart: its rollback only asks the engine.
    await docker.strategy.resumeSource(ctx);
    expect(calls).toEqual(["direct resume w1", "docker state w1"]);
  });
});

describe("destination hooks", () => {
  it("has the plain, post-copy and Docker hooks by name", () => {
    expect([...destinationHooks(fakeRuntimes().runtimes).keys()].sort()).toEqual(["docker", "postcopy", "stopcopy"]);
  });
});
