// The event stream over a real socket: listen on port 0, connect a ws client.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { SchedulerApp } from "../../../../scheduler/service/app.js";
import { waitFor } from "../../../helpers/wait.js";
import { LOOSE, makeApp, TIGHT } from "./helpers.js";
import { requestJson } from "../../../helpers/http.js";

let app: SchedulerApp;
let base: string;
beforeEach(async () => {
  app = await makeApp();
  base = await app.listen({ port: 0, host: "127.0.0.1" });
});
afterEach(() => app.close());

type Event = { type: string; at: string; [k: string]: unknown };

/** Connects and collects events until `count` have arrived (bounded by a timeout). */
async function follow(): Promise<{ next: (count: number) => Promise<Event[]>; close: () => void }> {
  const socket = new WebSocket(`${base.replace("http", "ws")}/v1/events`);
  const events: Event[] = [];
  let wake = () => {};
  socket.on("message", (raw) => {
    events.push(JSON.parse(String(raw)));
    wake();
  });
  const before = app.scheduler.events.size;
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  // Wait until the server has subscribed this client, so that no event is missed.
  await waitFor(() => app.scheduler.events.size !== before, { what: "the server to subscribe the client" });
  return {
    next: (count) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${events.length} event(s): ${JSON.stringify(events)}`)), 10_000);
        wake = () => {
          if (events.length >= count) {
            clearTimeout(timer);
            resolve(events.slice(0, count));
          }
        };
        wake();
      }),
    close: () => socket.close(),
  };
}

describe("GET /v1/events (WebSocket)", () => {
  it("streams placed, migration-requested, refused and released events as JSON", async () => {
    const stream = await follow();
    const post = (payload: object) => requestJson("POST", `${base}/v1/tasks`, payload);
    expect((await post(LOOSE)).status).toBe(201);
    expect((await post(TIGHT)).status).toBe(201);
    expect((await post(TIGHT)).status).toBe(409);
    expect((await requestJson("DELETE", `${base}/v1/tasks/t-1`)).status).toBe(200);
    const events = await stream.next(5);
    stream.close();
    expect(events.map((e) => e.type)).toEqual(["placed", "migration-requested", "placed", "refused", "released"]);
    expect(events[0]).toMatchObject({ task: { id: "t-1", device: "cam-1" }, node: "edge1", case: 1 });
    expect(events[1]).toMatchObject({ migration: { id: "m-1", from: "edge1", to: "cloud1", status: "requested" } });
    expect(events[2]).toMatchObject({ task: { id: "t-2" }, node: "edge1", case: 3, migrations: ["m-1"] });
    expect(events[3]).toMatchObject({ task: { device: "robot-1" }, reason: expect.any(String) });
    expect(events[4]).toMatchObject({ task: "t-1", node: "cloud1" });
    for (const e of events) expect(Number.isNaN(Date.parse(e.at))).toBe(false);
  });

  it("announces node registrations", async () => {
    const stream = await follow();
    const res = await requestJson("POST", `${base}/v1/nodes`, { name: "edge2", tier: "edge", cpus: 2, netDelayMs: 8 });
    expect(res.status).toBe(201);
    const [event] = await stream.next(1);
    stream.close();
    expect(event).toMatchObject({ type: "node-registered", node: { name: "edge2", cpus: 2 } });
  });

  it("stops sending to a closed client", async () => {
    const stream = await follow();
    expect(app.scheduler.events.size).toBe(1);
    stream.close();
    await waitFor(() => app.scheduler.events.size === 0, { what: "the server to drop the closed client" });
    expect(app.scheduler.events.size).toBe(0);
  });
});
