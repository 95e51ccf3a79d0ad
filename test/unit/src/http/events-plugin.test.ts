// GET /v1/events over a real socket: a reading client gets every event; a
// client that stops reading is dropped once its unsent bytes pass the bound;
// a client that closes or breaks the protocol is unsubscribed.
import type { Socket } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { installErrorHandling } from "../../../../src/http/error-handler.js";
import { EventHub } from "../../../../src/http/event-hub.js";
import { SLOW_CLIENT_CLOSE_CODE } from "../../../../src/http/event-stream.js";
import { eventsPlugin } from "../../../../src/http/events-plugin.js";

type Ev = { type: "tick"; n: number; pad?: string };

const BOUND = 64 * 1024;
let app: FastifyInstance;
let hub: EventHub<Ev>;
let url: string;
const clients: WebSocket[] = [];

beforeEach(async () => {
  hub = new EventHub<Ev>();
  app = Fastify();
  installErrorHandling(app);
  // A long grace, so that a dropped client that reads again sees the close frame.
  await app.register(eventsPlugin({ hub, summary: "{type: tick, n}", maxBufferedBytes: BOUND, dropGraceMs: 30_000 }));
  const base = await app.listen({ port: 0, host: "127.0.0.1" });
  url = `${base.replace("http", "ws")}/v1/events`;
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.terminate();
  await app.close();
});

const tick = () => new Promise((r) => setImmediate(r));

async function until(what: string, done: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A connected client, once the server has subscribed it. */
async function connect(): Promise<{ client: WebSocket; received: Ev[] }> {
  const before = hub.size;
  const client = new WebSocket(url);
  clients.push(client);
  const received: Ev[] = [];
  client.on("message", (raw) => received.push(JSON.parse(String(raw))));
  await new Promise((resolve, reject) => client.once("open", resolve).once("error", reject));
  await until("the server subscribed the client", () => hub.size > before);
  return { client, received };
}

const socketOf = (client: WebSocket) => (client as unknown as { _socket: Socket })._socket;

describe("eventsPlugin", () => {
  it("streams each event to a reading client as JSON with its time", async () => {
    const { received } = await connect();
    for (let n = 1; n <= 3; n++) hub.emit({ type: "tick", n });
    await until("three events arrived", () => received.length === 3);
    expect(received.map((e) => [e.type, e.n])).toEqual([
      ["tick", 1],
      ["tick", 2],
      ["tick", 3],
    ]);
    for (const e of received) expect(Number.isNaN(Date.parse((e as Ev & { at: string }).at))).toBe(false);
  });

  it("drops a client that stops reading once its unsent bytes pass the bound, and keeps serving the others", async () => {
    const slow = await connect();
    const fast = await connect();
    socketOf(slow.client).pause();
    const pad = "x".repeat(256 * 1024);
    // Loopback and the kernel's socket buffers take a few MiB first; 400 events are 100 MiB, far past any of them.
    let sent = 0;
    for (; sent < 400 && hub.size === 2; sent++) {
      hub.emit({ type: "tick", n: sent, pad });
      await tick();
    }
    expect(hub.size, `still subscribed after ${sent} events of 256 KiB`).toBe(1);
    // The reader still gets everything.
    await until("the reading client got every event", () => fast.received.length === sent);

    const closed = new Promise<[number, string]>((resolve) => slow.client.once("close", (code, reason) => resolve([code, String(reason)])));
    socketOf(slow.client).resume();
    const [code, reason] = await closed;
    expect(code).toBe(SLOW_CLIENT_CLOSE_CODE);
    expect(reason).toMatch(/too slowly/);
    expect(slow.received.length).toBeLessThan(sent);
  });

  it("unsubscribes a client that closes", async () => {
    const { client } = await connect();
    expect(hub.size).toBe(1);
    client.close();
    await until("the hub let go of the client", () => hub.size === 0);
    expect(hub.size).toBe(0);
  });

  // ws closes after an error too; event-stream.test.ts checks the error path on its own.
  it("unsubscribes a client that breaks the protocol (an unmasked frame is an error on the server)", async () => {
    const { client } = await connect();
    socketOf(client).write(Buffer.from([0x81, 0x01, 0x61]));
    await until("the hub let go of the client", () => hub.size === 0);
    expect(hub.size).toBe(0);
  });

  it("answers a plain GET 426 UPGRADE_REQUIRED in the one error body", async () => {
    const res = await app.inject({ method: "GET", url: "/v1/events" });
    expect(res.statusCode).toBe(426);
    expect(res.json()).toMatchObject({ statusCode: 426, code: "UPGRADE_REQUIRED", message: expect.stringMatching(/WebSocket/) });
  });
});
