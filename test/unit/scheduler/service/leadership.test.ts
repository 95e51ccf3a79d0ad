// A scheduler's answers about leadership: alone on its embedded store it
// always leads; a standby (scheduler/service/standby-app.ts) answers its
// leadership and 503 NOT_LEADER naming the leader, with Retry-After, to every
// other call; a leader whose write was fenced out answers NOT_LEADER too.
import { afterEach, describe, expect, it } from "vitest";
import type { SchedulerApp } from "../../../../scheduler/service/app.js";
import { buildStandbyApp } from "../../../../scheduler/service/standby-app.js";
import type { StateChange } from "../../../../scheduler/state/records.js";
import { MemoryStateStore } from "../../../../scheduler/state/store.js";
import type { LeadershipView } from "../../../../src/api-types/scheduler.js";
import { FencedOut } from "../../../../src/etcd/keyed-records.js";
import { ServiceLog } from "../../../../src/logs/service-log.js";
import { CLOUD, LOOSE, makeApp } from "./helpers.js";

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

describe("leadership", () => {
  it("alone on the embedded store: always the leader", async () => {
    const app: SchedulerApp = await makeApp([CLOUD]);
    closers.push(() => app.close());
    const res = await app.inject({ method: "GET", url: "/v1/leadership" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ role: "leader", store: "embedded", leader: null, term: null, self: null });
  });

  it("a standby answers its leadership, and 503 NOT_LEADER naming the leader with Retry-After to the rest", async () => {
    let view: LeadershipView = { role: "standby", store: "etcd", leader: "http://10.0.0.1:8088", term: null, self: "http://10.0.0.2:8088" };
    const app = await buildStandbyApp({ view: () => view, log: new ServiceLog({ service: "scheduler" }) });
    closers.push(() => app.close());
    expect((await app.inject({ method: "GET", url: "/v1/leadership" })).json()).toEqual(view);
    for (const [method, url] of [["POST", "/v1/tasks"], ["GET", "/v1/placements"], ["PUT", "/v1/nodes/e1/report"], ["GET", "/openapi.json"]] as const) {
      const res = await app.inject({ method, url, payload: method === "GET" ? undefined : {} });
      expect(res.statusCode, `${method} ${url}`).toBe(503);
      expect(res.headers["retry-after"]).toBe("1");
      expect(res.json()).toMatchObject({ statusCode: 503, code: "NOT_LEADER", leader: "http://10.0.0.1:8088" });
    }
    view = { ...view, leader: null };
    const none = await app.inject({ method: "POST", url: "/v1/tasks", payload: {} });
    expect(none.json()).toMatchObject({ code: "NOT_LEADER", leader: null, message: expect.stringContaining("no leader is known") });
  });

  it("a leader whose write is fenced out answers 503 NOT_LEADER, and nothing changes", async () => {
    class Fenced extends MemoryStateStore {
      fenced = false;
      override async apply(changes: StateChange[]): Promise<void> {
        if (this.fenced) throw new FencedOut({ key: "/fleximigrate/election/election/scheduler/1", createRevision: "7" });
        return super.apply(changes);
      }
    }
    const store = new Fenced();
    const app = await makeApp([CLOUD], { stateStore: store });
    closers.push(() => app.close());
    store.fenced = true;
    const res = await app.inject({ method: "POST", url: "/v1/tasks", payload: LOOSE });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: "NOT_LEADER", leader: null, message: expect.stringContaining("term 7 ended") });
    expect((await app.inject({ method: "GET", url: "/v1/placements" })).json()).toEqual([]);
  });
});
