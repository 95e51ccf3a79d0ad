import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { AgentEvents } from "../../../../scheduler/migration/agent-events.js";
import { waitFor } from "../../../helpers/wait.js";

describe("AgentEvents", () => {
  let server: WebSocketServer;
  let base = "";
  beforeAll(async () => {
    server = new WebSocketServer({ port: 0, host: "127.0.0.1", path: "/v1/events" });
    await new Promise((r) => server.once("listening", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const c of server.clients) c.terminate();
    await new Promise((r) => server.close(r));
  });

  const broadcast = (e: object | string) => {
    for (const c of server.clients) c.send(JSON.stringify(e));
  };

  it("hands each follower only its migration's events, and closes the stream when nobody follows", async () => {
    const events = new AgentEvents(base);
    const seen: string[] = [];
    const stop = events.follow("m-1", (e) => seen.push(String(e.phase)));
    await waitFor(() => server.clients.size === 1 || undefined, { what: "the agent's stream to open" });
    broadcast({ type: "migration", migrationId: "m-2", phase: "dumping" });
    broadcast({ type: "migration", migrationId: "m-1", phase: "restoring" });
    broadcast("not json at all");
    broadcast({ type: "migration", migrationId: "m-1", phase: "awaiting-commit", resumedAt: "2026-12-02T00:00:00.000Z" });
    await waitFor(() => seen.length === 2 || undefined, { what: "m-1's two events" });
    expect(seen).toEqual(["restoring", "awaiting-commit"]);
    stop();
    await waitFor(() => server.clients.size === 0 || undefined, { what: "the stream to close" });
  });
});
