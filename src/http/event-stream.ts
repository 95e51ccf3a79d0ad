// One WebSocket client of a service's event stream: each event goes out as one
// JSON text message while the socket is open. A client that reads slower than
// events arrive is dropped rather than buffered for without limit: when its
// socket already holds more than `maxBufferedBytes` unsent, it is closed with
// 1013 (try again later) and, as it is not reading the close frame either,
// terminated `dropGraceMs` later. Close and error end the subscription.
import type { EventHub } from "./event-hub.js";

export const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
export const DEFAULT_DROP_GRACE_MS = 1000;
export const SLOW_CLIENT_CLOSE_CODE = 1013;

const OPEN = 1;

/** What the stream needs of a socket; ws's WebSocket has all of it. */
export interface EventSocket {
  readonly readyState: number;
  /** Bytes queued but not yet handed to the network. */
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code: number, reason: string): void;
  terminate(): void;
  on(event: "close" | "error", listener: () => void): unknown;
}

export interface EventStreamOptions {
  maxBufferedBytes?: number;
  dropGraceMs?: number;
}

/** Streams the hub's events to the socket until it closes, fails or is dropped. */
export function streamEvents<E extends { type: string }>(hub: Pick<EventHub<E>, "subscribe">, socket: EventSocket, opts: EventStreamOptions = {}): void {
  const maxBufferedBytes = opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  const dropGraceMs = opts.dropGraceMs ?? DEFAULT_DROP_GRACE_MS;
  let terminateTimer: NodeJS.Timeout | undefined;

  const unsubscribe = hub.subscribe((event) => {
    if (socket.readyState !== OPEN) return unsubscribe();
    if (socket.bufferedAmount > maxBufferedBytes) return drop();
    socket.send(JSON.stringify(event));
  });

  function drop(): void {
    unsubscribe();
    socket.close(SLOW_CLIENT_CLOSE_CODE, `reads too slowly: over ${maxBufferedBytes} bytes of events unsent`);
    terminateTimer = setTimeout(() => socket.terminate(), dropGraceMs);
    terminateTimer.unref();
  }

  socket.on("close", () => {
    unsubscribe();
    clearTimeout(terminateTimer);
  });
  socket.on("error", unsubscribe);
}
