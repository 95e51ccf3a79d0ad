// The per-client policy against a fake socket, so that each branch (open,
// not open, over the bound, error, close) is driven exactly.
import { EventEmitter } from "node:events";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EventHub } from "../../../../src/http/event-hub.js";
import { type EventSocket, SLOW_CLIENT_CLOSE_CODE, streamEvents } from "../../../../src/http/event-stream.js";

type Ev = { type: "tick"; n: number };

class FakeSocket extends EventEmitter implements EventSocket {
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: string[] = [];
  closedWith: [number, string] | undefined;
  terminated = false;
  send(data: string): void {
    this.sent.push(data);
  }
  close(code: number, reason: string): void {
    this.closedWith = [code, reason];
    this.readyState = 2;
  }
  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
  }
}

function setUp(opts = { maxBufferedBytes: 100, dropGraceMs: 50 }) {
  const hub = new EventHub<Ev>(() => new Date(0));
  const socket = new FakeSocket();
  streamEvents(hub, socket, opts);
  return { hub, socket };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("streamEvents", () => {
  it("sends each event as one JSON text message while the socket is open", () => {
    const { hub, socket } = setUp();
    hub.emit({ type: "tick", n: 1 });
    hub.emit({ type: "tick", n: 2 });
    expect(socket.sent.map((m) => JSON.parse(m))).toEqual([
      { type: "tick", n: 1, at: "1970-01-01T00:00:00.000Z" },
      { type: "tick", n: 2, at: "1970-01-01T00:00:00.000Z" },
    ]);
    expect(hub.size).toBe(1);
  });

  it("sends nothing to a socket that is no longer open, and unsubscribes it", () => {
    const { hub, socket } = setUp();
    socket.readyState = 2;
    hub.emit({ type: "tick", n: 1 });
    expect(socket.sent).toEqual([]);
    expect(hub.size).toBe(0);
  });

  it("drops a client whose unsent bytes are over the bound: close 1013 with a reason, then terminate", () => {
    vi.useFakeTimers();
    const { hub, socket } = setUp({ maxBufferedBytes: 100, dropGraceMs: 50 });
    socket.bufferedAmount = 100; // at the bound: still sent
    hub.emit({ type: "tick", n: 1 });
    socket.bufferedAmount = 101;
    hub.emit({ type: "tick", n: 2 });
    expect(socket.sent).toHaveLength(1);
    expect(hub.size).toBe(0);
    expect(socket.closedWith?.[0]).toBe(SLOW_CLIENT_CLOSE_CODE);
    expect(socket.closedWith?.[1]).toMatch(/too slowly.*100 bytes/);
    expect(Buffer.byteLength(socket.closedWith![1])).toBeLessThanOrEqual(123); // a close reason's limit
    expect(socket.terminated).toBe(false);
    vi.advanceTimersByTime(50);
    expect(socket.terminated).toBe(true);
  });

  it("does not terminate a dropped client that closed within the grace time", () => {
    vi.useFakeTimers();
    const { hub, socket } = setUp({ maxBufferedBytes: 0, dropGraceMs: 50 });
    socket.bufferedAmount = 1;
    hub.emit({ type: "tick", n: 1 });
    socket.emit("close");
    vi.advanceTimersByTime(100);
    expect(socket.terminated).toBe(false);
  });

  it("unsubscribes on error", () => {
    const { hub, socket } = setUp();
    socket.emit("error");
    expect(hub.size).toBe(0);
    hub.emit({ type: "tick", n: 1 });
    expect(socket.sent).toEqual([]);
  });

  it("unsubscribes on close", () => {
    const { hub, socket } = setUp();
    socket.emit("close");
    expect(hub.size).toBe(0);
  });
});
