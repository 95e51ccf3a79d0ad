// A state store that cannot write (disk full, EIO): every change answers 503
// naming the cause and leaves what clients see as it was; a started workload
// is stopped again and its address freed.
import { afterEach, describe, expect, it } from "vitest";
import type { SchedulerApp } from "../../../../scheduler/service/app.js";
import type { StateChange } from "../../../../scheduler/state/records.js";
import { MemoryStateStore } from "../../../../scheduler/state/store.js";
import { FakeProber } from "../migration/fakes.js";
import { CLOUD, EDGE, fakeAgents, LOOSE, makeApp, snapshot, TIGHT } from "./helpers.js";

/** The memory store, with writes that fail while `failing` is set (injected at the StateStore interface). */
class FlakyStore extends MemoryStateStore {
  failing = false;
  override async apply(changes: StateChange[]): Promise<void> {
    if (this.failing) throw new Error("ENOSPC: no space left on device, write");
    return super.apply(changes);
  }
}

const CLOUD_AGENT = { ...CLOUD, endpoint: "http://127.0.0.1:7703" };
let app: SchedulerApp;
afterEach(() => app?.close());

describe("a state write that fails", () => {
  it("answers 503 with the cause for every change, and nothing changes", async () => {
    const agents = fakeAgents();
    const store = new FlakyStore();
    app = await makeApp([EDGE, CLOUD_AGENT], { agents: agents.directory, prober: new FakeProber([]), limits: { pollMs: 1 }, stateStore: store });
    await app.inject({ method: "POST", url: "/v1/tasks", payload: LOOSE });
    await app.inject({ method: "POST", url: "/v1/devices", payload: { id: "cam-9" } });
    const before = await snapshot(app);
    const stored = await store.load();
    store.failing = true;
    agents.calls.length = 0;
    const attempts = [
      { method: "POST", url: "/v1/tasks", payload: TIGHT }, // case 3: t-1 would move to the cloud
      { method: "POST", url: "/v1/tasks", payload: { ...LOOSE, device: "new-cam", delayBudgetMs: 900 } },
      { method: "DELETE", url: "/v1/tasks/t-1" },
      { method: "POST", url: "/v1/migrations", payload: { task: "t-1", to: "cloud1" } },
      { method: "POST", url: "/v1/nodes", payload: { name: "edge2", tier: "edge", cpus: 2, netDelayMs: 5 } },
      { method: "POST", url: "/v1/nodes", payload: { ...CLOUD_AGENT, cpus: 16 } },
      { method: "DELETE", url: "/v1/nodes/cloud1" },
      { method: "POST", url: "/v1/devices", payload: { id: "cam-9", site: "dock" } },
    ] as const;
    for (const a of attempts) {
      const res = await app.inject(a);
      expect([a.method, a.url, res.statusCode]).toEqual([a.method, a.url, 503]);
      expect(res.json()).toMatchObject({ code: "UNAVAILABLE", reason: "state store write failed: ENOSPC: no space left on device, write" });
      expect(await snapshot(app)).toEqual(before);
    }
    // The workloads the failed placements started were stopped again; nothing was deleted that ran before.
    expect(agents.calls.filter((c) => c.includes("Workload"))).toEqual([
      "edge1.createWorkload t-2",
      "edge1.deleteWorkload t-2",
      "edge1.createWorkload t-3",
      "edge1.deleteWorkload t-3",
    ]);
    expect(await store.load()).toEqual(stored);
    // Once the disk has room again, all works (the plan hands out addresses round the block: the next new one).
    store.failing = false;
    const placed = (await app.inject({ method: "POST", url: "/v1/tasks", payload: TIGHT })).json();
    expect(placed).toMatchObject({ node: "edge1", case: 3, serviceIp: "10.77.0.5" });
    // The moved task's record is marked moving until its move ends, then written as it ends.
    await (app.scheduler.executor as unknown as { manager: { idle(): Promise<void> } }).manager.idle();
    expect((await store.load()).tasks.map((t) => [t.request.id, t.node, t.moving ?? null])).toEqual([
      ["t-1", "cloud1", null],
      ["t-4", "edge1", null],
    ]);
  });
});
