import { describe, expect, it } from "vitest";
import { ORDER, world } from "./fakes.js";

const statesOf = (log: string[]) => log.filter((l) => l.includes("Transitioning")).map((l) => l.replace(/.* - Transitioning: /, ""));

describe("MigrationManager: the six scenarios", () => {
  it("1. success: PENDING -> ... -> COMPLETED, redirect right after resume, commit last, metrics filled", async () => {
    const w = world();
    const mgr = await w.start();
    const rec = await mgr.request(ORDER);
    const done = (await mgr.settled(rec.id))!;
    expect(done.state).toBe("COMPLETED");
    expect(done.status).toBe("done");
    expect(statesOf(done.log!)).toEqual([
      "PENDING -> PLANNING",
      "PLANNING -> PREPARATION",
      "PREPARATION -> EXECUTION",
      "EXECUTION -> VERIFICATION",
      "VERIFICATION -> COMPLETED",
    ]);
    expect(done.log!.at(-1)).toBe("INFO [MigrationManager]: Final State: COMPLETED");
    expect(done.strategy).toBe("postcopy");
    expect(done.reason).toMatch(/postcopy available on edge1 and cloud1/);
    expect(w.edge.migrationsStarted).toEqual([
      { workload: "t-1", destination: "http://cloud1", strategy: "postcopy", commit: "manual", cpuLimit: 0.7 },
    ]);
    const order = (s: string) => w.calls.indexOf(s);
    expect(order("cap.reserve cloud1")).toBeLessThan(order("net.ensurePath edge1->cloud1"));
    expect(order("net.ensurePath edge1->cloud1")).toBeLessThan(order("edge1.startMigration t-1"));
    expect(order("edge1.startMigration t-1")).toBeLessThan(order("net.redirect 10.77.0.2->0000000000000002:7"));
    expect(order("net.redirect 10.77.0.2->0000000000000002:7")).toBeLessThan(order("probe 10.77.0.2:8080/process?size=small"));
    expect(order("probe 10.77.0.2:8080/process?size=small")).toBeLessThan(order("edge1.commitMigration"));
    expect(order("edge1.commitMigration")).toBeLessThan(order("cap.release edge1"));
    expect(w.calls).toContain("net.setDns t-1.svc.fleximigrate.local=10.77.0.2");
    expect(w.calls).not.toContain("edge1.rollbackMigration");
    expect(done.metrics).toMatchObject({ networkReconfigurationMs: 3.5, deviceSeenDowntimeMs: null });
    expect(done.metrics!.resumeToRedirectMs).toBeGreaterThanOrEqual(0);
    expect(done.metrics!.decisionToAgentStartMs).toBeGreaterThanOrEqual(0);
    expect(done.metrics!.totalMs).toBeGreaterThanOrEqual(0);
    expect(w.events.map((e) => e.to)).toEqual(["PENDING", "PLANNING", "PREPARATION", "EXECUTION", "VERIFICATION", "COMPLETED"]);
    await mgr.close();
  });

  it("2a. PENDING: the source holds no such workload -> FAILED, nothing touched", async () => {
    const w = world();
    w.edge.workloadsHeld.clear();
    const mgr = await w.start();
    const done = (await mgr.settled((await mgr.request(ORDER)).id))!;
    expect(done.state).toBe("FAILED");
    expect(done.error).toMatch(/runs no workload 't-1'/);
    expect(statesOf(done.log!)).toEqual(["PENDING -> FAILED"]);
    expect(done.log!).toContain("ERROR [StateSynchronizer]: PENDING failed: source agent edge1 runs no workload 't-1' - Transitioning: PENDING -> FAILED");
    expect(w.calls.filter((c) => /startMigration|reserve|ensurePath|redirect|rollback/.test(c))).toEqual([]);
    expect(w.calls.at(-1)).toBe("cap.undo edge1"); // the placement shows the source again
  });

  it("2b. PENDING: the destination is unreachable -> FAILED, nothing touched", async () => {
    const w = world();
    w.cloud.reachable = false;
    const mgr = await w.start();
    const done = (await mgr.settled((await mgr.request(ORDER)).id))!;
    expect(done).toMatchObject({ state: "FAILED", error: expect.stringMatching(/destination agent cloud1 unreachable/) });
    expect(w.calls.filter((c) => /startMigration|reserve|ensurePath|redirect/.test(c))).toEqual([]);
  });

  it("2c. PENDING: the destination is not registered, or the task was released -> FAILED, no agent asked", async () => {
    for (const set of [(w: ReturnType<typeof world>) => (w.capacity.isRegistered = false), (w: ReturnType<typeof world>) => (w.capacity.isPlaced = false)]) {
      const w = world();
      set(w);
      const mgr = await w.start();
      const done = (await mgr.settled((await mgr.request(ORDER)).id))!;
      expect(done.state).toBe("FAILED");
      expect(done.error).toMatch(/not registered|no longer placed/);
      expect(w.calls.filter((c) => !c.startsWith("cap."))).toEqual([]);
    }
  });

  it("3b. PLANNING: the destination's capacity re-check fails -> FAILED, nothing touched", async () => {
    const w = world();
    w.capacity.recheckProblem = "2.5 of 2 cores in use";
    const mgr = await w.start();
    const done = (await mgr.settled((await mgr.request(ORDER)).id))!;
    expect(done.log!.find((l) => l.includes("PLANNING -> FAILED"))).toBe(
      "ERROR [ResourceAllocator]: PLANNING failed: destination cloud1 cannot hold the task: 2.5 of 2 cores in use - Transitioning: PLANNING -> FAILED",
    );
    expect(w.calls.filter((c) => /startMigration|reserve|ensurePath/.test(c))).toEqual([]);
  });

  it("3c. PLANNING: no strategy both agents can run -> FAILED with the reason", async () => {
    const w = world();
    w.cloud.strategies = {};
    const mgr = await w.start();
    const done = (await mgr.settled((await mgr.request(ORDER)).id))!;
    expect(done).toMatchObject({ state: "FAILED", strategy: null, reason: expect.stringMatching(/^no strategy both agents can run/) });
  });

  it("3d. PLANNING: the destination's CRIU cannot dump TCP connections -> FAILED with its probe's reason, nothing touched", async () => {
    const w = world();
    w.cloud.tcp = { ok: false, reason: "criu dump --tcp-established: Operation not supported" };
    const mgr = await w.start();
    const done = (await mgr.settled((await mgr.request(ORDER)).id))!;
    expect(statesOf(done.log!)).toEqual(["PENDING -> PLANNING", "PLANNING -> FAILED"]);
    expect(done.error).toBe("the workload's TCP connections cannot move: cloud1: CRIU cannot dump established TCP connections (criu dump --tcp-established: Operation not supported)");
    expect(w.calls.filter((c) => /startMigration|reserve|ensurePath|redirect/.test(c))).toEqual([]);
  });

  it("3. PLANNING: the policy hook denies -> FAILED, nothing touched", async () => {
    const w = world({ policy: { name: "no-night-moves", check: async () => ({ allow: false, reason: "maintenance window" }) } });
    const mgr = await w.start();
    const done = (await mgr.settled((await mgr.request(ORDER)).id))!;
    expect(statesOf(done.log!)).toEqual(["PENDING -> PLANNING", "PLANNING -> FAILED"]);
    expect(done.log!.find((l) => l.includes("PLANNING -> FAILED"))).toMatch(/^ERROR \[PolicyEnforcer\]: PLANNING failed: policy no-night-moves denies the move: maintenance window/);
    expect(w.calls.filter((c) => /startMigration|reserve|ensurePath/.test(c))).toEqual([]);
  });

  it("4. PREPARATION: ensurePath fails -> the reservation is undone, ROLLING_BACK -> FAILED", async () => {
    const w = world();
    w.network.failEnsurePath = "no tunnel toward site cloud";
    const mgr = await w.start();
    const done = (await mgr.settled((await mgr.request(ORDER)).id))!;
    expect(statesOf(done.log!)).toEqual(["PENDING -> PLANNING", "PLANNING -> PREPARATION", "PREPARATION -> ROLLING_BACK", "ROLLING_BACK -> FAILED"]);
    expect(done.error).toMatch(/no tunnel toward site cloud/);
    expect(w.calls).toContain("cap.reserve cloud1");
    expect(w.calls.at(-1)).toBe("cap.undo edge1");
    expect(w.calls.filter((c) => /startMigration|rollbackMigration|redirect/.test(c))).toEqual([]);
    expect(done.log!.at(-1)).toBe("ERROR [MigrationManager]: Final State: FAILED");
  });

  it("5. EXECUTION: the agent migration fails -> agent rollback, workload on the source, FAILED", async () => {
    const w = world();
    w.edge.script = [{ phase: "dumping" }, { phase: "failed", status: "failed", error: "criu dump: Operation not permitted" }];
    w.edge.rollbackView = { phase: "failed", status: "failed" };
    const mgr = await w.start();
    const done = (await mgr.settled((await mgr.request(ORDER)).id))!;
    expect(statesOf(done.log!)).toEqual(["PENDING -> PLANNING", "PLANNING -> PREPARATION", "PREPARATION -> EXECUTION", "EXECUTION -> ROLLING_BACK", "ROLLING_BACK -> FAILED"]);
    expect(done.error).toMatch(/criu dump: Operation not permitted/);
    expect(w.edge.rolledBack).toBe(true);
    expect(w.calls.filter((c) => c.startsWith("net.redirect"))).toEqual([]);
    expect(w.edge.workloadsHeld.get("t-1")?.state).toBe("running");
    expect(w.calls.indexOf("edge1.rollbackMigration")).toBeLessThan(w.calls.indexOf("cap.undo edge1"));
  });

  it("5b. EXECUTION: the redirect fails after resume -> agent rollback before the destination copy goes, no redirect left", async () => {
    const w = world();
    w.network.failRedirect = "switch 2 refused FLOW_MOD";
    const mgr = await w.start();
    const done = (await mgr.settled((await mgr.request(ORDER)).id))!;
    expect(done.state).toBe("FAILED");
    expect(w.calls.indexOf("edge1.rollbackMigration")).toBeLessThan(w.calls.indexOf("cloud1.dropIncoming"));
    expect(w.calls.filter((c) => c.startsWith("net.rollbackRedirects"))).toEqual([]); // none was made
  });

  it("1b. EXECUTION: the source froze with its network fenced -> the service is redirected before the resume, once", async () => {
    const w = world();
    const port = { dpid: "0000000000000002", ofport: 7 };
    const frozenAt = "2026-01-01T00:00:00.500Z";
    w.edge.script = [
      { phase: "transferring" },
      { phase: "transferring", frozenAt, destinationNetwork: port },
      { phase: "restoring", frozenAt, destinationNetwork: port },
      // Resumed (by the agent's clock) a minute after the redirect: done before it, so 0.
      { phase: "awaiting-commit", frozenAt, resumedAt: new Date(Date.now() + 60_000).toISOString(), destinationNetwork: port },
    ];
    const mgr = await w.start();
    const done = (await mgr.settled((await mgr.request(ORDER)).id))!;
    expect(done.state).toBe("COMPLETED");
    expect(w.calls.filter((c) => c.startsWith("net.redirect"))).toEqual(["net.redirect 10.77.0.2->0000000000000002:7"]);
    // Redirected while the agent still reported the frozen window: more polls followed before the resume was seen.
    const after = w.calls.slice(w.calls.indexOf("net.redirect 10.77.0.2->0000000000000002:7"));
    expect(after.indexOf("edge1.migration")).toBeGreaterThan(0);
    expect(done.log!.some((l) => /redirected to 0000000000000002:7 during the frozen window/.test(l))).toBe(true);
    expect(done.metrics!.resumeToRedirectMs).toBe(0);
  });

  it("1d. the device's reported answers give the downtime it saw, after COMPLETED", async () => {
    const w = world();
    const t = Date.now() - 10_000;
    const iso = (ms: number) => new Date(ms).toISOString();
    const port = { dpid: "0000000000000002", ofport: 7 };
    w.edge.script = [
      { phase: "transferring", frozenAt: iso(t + 500), destinationNetwork: port },
      { phase: "awaiting-commit", frozenAt: iso(t + 500), resumedAt: iso(t + 1000), destinationNetwork: port },
    ];
    const mgr = await w.start();
    const rec = await mgr.request(ORDER);
    const done = (await mgr.settled(rec.id))!;
    expect(done.metrics!.deviceSeenDowntimeMs).toBeNull();
    // Sent every 50 ms, answered in 5 ms; the one sent at +480 waited 625 ms (answered at +1105).
    const samples = [...Array.from({ length: 10 }, (_, i) => ({ at: t + i * 50, e2eMs: 5 })), { at: t + 480, e2eMs: 625 }, { at: t + 1110, e2eMs: 5 }];
    mgr.deviceSamples("t-1", samples.slice(0, 5)); // not yet covering the window
    expect(mgr.record(rec.id)!.metrics!.deviceSeenDowntimeMs).toBeNull();
    mgr.deviceSamples("t-1", samples.slice(5));
    const after = mgr.record(rec.id)!;
    expect(after.metrics!.deviceSeenDowntimeMs).toBe(600);
    expect(after.log!.at(-1)).toMatch(/the device saw 600 ms of downtime \(longest gap between answers 650 ms, normal 50 ms\)/);
    mgr.deviceSamples("t-1", [{ at: t + 2000, e2eMs: 900 }]); // figured once; later samples change nothing
    expect(mgr.record(rec.id)!.metrics!.deviceSeenDowntimeMs).toBe(600);
  });

  it("1c. EXECUTION: an early redirect that fails is tried again at the resume", async () => {
    const w = world();
    const port = { dpid: "0000000000000002", ofport: 7 };
    w.edge.script = [
      { phase: "transferring", frozenAt: "2026-01-01T00:00:00.500Z", destinationNetwork: port },
      { phase: "awaiting-commit", resumedAt: "2026-01-01T00:00:01Z", destinationNetwork: port },
    ];
    const redirect = w.network.redirect.bind(w.network);
    let calls = 0;
    w.network.redirect = async (order) => {
      if (calls++ === 0) throw new Error("controller busy");
      return redirect(order);
    };
    const mgr = await w.start();
    const done = (await mgr.settled((await mgr.request(ORDER)).id))!;
    expect(done.state).toBe("COMPLETED");
    expect(calls).toBe(2);
    expect(w.network.redirects).toHaveLength(1);
    expect(done.log!.some((l) => /WARN \[NetworkManager\]: early redirect failed, trying again at the resume: controller busy/.test(l))).toBe(true);
  });

  it("6. VERIFICATION: the probe fails -> agent rollback, then redirect and DNS back; destinationRanMs recorded", async () => {
    const w = world();
    w.prober.ok = false;
    const mgr = await w.start();
    const done = (await mgr.settled((await mgr.request(ORDER)).id))!;
    expect(statesOf(done.log!)).toEqual([
      "PENDING -> PLANNING",
      "PLANNING -> PREPARATION",
      "PREPARATION -> EXECUTION",
      "EXECUTION -> VERIFICATION",
      "VERIFICATION -> ROLLING_BACK",
      "ROLLING_BACK -> FAILED",
    ]);
    expect(done.error).toMatch(/does not answer on 10.77.0.2:8080/);
    const tail = w.calls.slice(w.calls.indexOf("probe 10.77.0.2:8080/process?size=small"));
    expect(tail).toEqual([
      "probe 10.77.0.2:8080/process?size=small",
      "edge1.rollbackMigration",
      "cloud1.dropIncoming",
      "edge1.workloads",
      "net.rollbackRedirects 1",
      "net.setDns t-1.svc.fleximigrate.local=10.77.0.2",
      "cap.undo edge1",
    ]);
    expect(w.edge.committed).toBe(false);
    expect(done.metrics).toMatchObject({ destinationRanMs: 42, changesDiscarded: true });
    expect(done.timeline!.find((e) => e.state === "FAILED")!.message).toMatch(/destination ran 42 ms; its changes discarded/);
  });
});

describe("MigrationManager: limits, cancellation", () => {
  it("runs at most 2 moves out of one node and 5 in the cluster; the rest wait in PENDING", async () => {
    const w = world();
    let open!: () => void;
    const gate = new Promise<void>((r) => {
      open = r;
    });
    const mgr = await w.start({
      agents: (endpoint) => {
        const n = endpoint.slice("http://".length);
        let a = w.agents.get(endpoint);
        if (!a) {
          a = new (w.edge.constructor as typeof import("./fakes.js").FakeAgent)(n, w.calls);
          for (let i = 1; i <= 3; i++) a.workloadsHeld.set(`${n}-t${i}`, { ...w.edge.workloadsHeld.get("t-1")!, id: `${n}-t${i}` });
          a.gate = gate;
          a.peer = w.cloud;
          w.agents.set(endpoint, a);
        }
        return a;
      },
    });
    const ids: string[] = [];
    for (const n of ["e1", "e2", "e3", "e4"]) {
      for (let i = 1; i <= 3; i++) {
        const order = { ...ORDER, task: { ...ORDER.task, id: `${n}-t${i}` }, request: `${n}-t${i}`, from: n, fromEndpoint: `http://${n}`, service: { ...ORDER.service, workloadId: `${n}-t${i}` } };
        ids.push((await mgr.request(order)).id);
      }
    }
    await new Promise((r) => setTimeout(r, 20));
    const states = mgr.records().map((r) => [r.from, r.state]);
    const active = states.filter(([, s]) => s !== "PENDING");
    expect(active).toHaveLength(5);
    for (const n of ["e1", "e2", "e3", "e4"]) expect(active.filter(([f]) => f === n).length).toBeLessThanOrEqual(2);
    expect(states.filter(([, s]) => s === "PENDING")).toHaveLength(7);
    open();
    await mgr.idle();
    expect(mgr.records().every((r) => r.state === "COMPLETED")).toBe(true);
  });

  it("a task already migrating is not moved again", async () => {
    const w = world();
    const mgr = await w.start();
    const first = await mgr.request(ORDER);
    const second = await mgr.request(ORDER);
    expect(second).toMatchObject({ state: "FAILED", error: expect.stringMatching(/already migrating \(m-1\)/) });
    expect((await mgr.settled(first.id))!.state).toBe("COMPLETED");
    expect(w.edge.migrationsStarted).toHaveLength(1);
  });

  it("releasing the task mid-migration rolls the move back and resolves when it is final", async () => {
    const w = world();
    w.edge.script = [{ phase: "transferring" }]; // never resumes by itself
    const mgr = await w.start();
    const rec = await mgr.request(ORDER);
    while (!w.calls.includes("edge1.startMigration t-1")) await new Promise((r) => setTimeout(r, 1));
    await mgr.cancelTask("t-1");
    const done = mgr.record(rec.id)!;
    expect(done.state).toBe("FAILED");
    expect(done.error).toMatch(/cancelled: the task was released/);
    expect(w.edge.rolledBack).toBe(true);
  });

  it("fails a move whose agent shows no progress for the progress timeout", async () => {
    const w = world({ limits: { progressTimeoutMs: 5_000 } });
    w.edge.script = [{ phase: "transferring", progress: { bytes: 1, totalBytes: 1, rateBps: 0 } }];
    let t = Date.parse("2026-01-01T00:00:00Z");
    const mgr = await w.start({ now: () => new Date(t), sleep: async () => void (t += 1_000) });
    const done = (await mgr.settled((await mgr.request(ORDER)).id))!;
    expect(done.state).toBe("FAILED");
    expect(done.error).toMatch(/no progress for 5000 ms/);
    expect(w.edge.rolledBack).toBe(true);
  });
});
