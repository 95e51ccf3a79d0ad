// How the page reaches the services: the typed clients of src/clients over
// fetch (the scheduler's API, and the controller's through the scheduler's
// read-only forward under api/controller), and the two event sockets. A
// bearer token, when one was given (?token= or the login field, kept in
// sessionStorage), goes on every call as Authorization and on each socket as
// ?token= (browsers cannot set headers on a WebSocket).
import { ControllerClient } from "../../../src/clients/controller.js";
import { SchedulerClient } from "../../../src/clients/scheduler.js";

const TOKEN_KEY = "fleximigrate.token";

/** The token: ?token= first (then kept for the session and taken out of the address bar), else the session's. */
export function readToken(): string | null {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get("token");
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete("token");
    history.replaceState(null, "", url.toString());
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export interface Api {
  scheduler: SchedulerClient;
  controller: ControllerClient;
  /** ws(s):// URLs of the two event streams, the token on them. */
  schedulerEvents: string;
  controllerEvents: string;
}

export function makeApi(token: string | null): Api {
  const authorized = (url: string, init: RequestInit) =>
    fetch(url, token ? { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` } } : init);
  const origin = location.origin;
  const ws = origin.replace(/^http/, "ws");
  const q = token ? `?token=${encodeURIComponent(token)}` : "";
  return {
    scheduler: new SchedulerClient(origin, { fetch: authorized, timeoutMs: 15_000 }),
    controller: new ControllerClient(`${origin}/ui/api/controller`, { fetch: authorized, timeoutMs: 15_000 }),
    schedulerEvents: `${ws}/v1/events${q}`,
    controllerEvents: `${ws}/ui/api/controller/v1/events${q}`,
  };
}

export type StreamStatus = "connecting" | "live" | "lost";

/**
 * Follows one event stream: each message to `onEvent`; when the socket closes
 * it opens again (1 s, doubling to 15 s), and `onOpen` lets the caller read the
 * state anew, since the events missed meanwhile are gone.
 */
export function follow(url: string, handlers: { onEvent(text: string): void; onOpen(): void; onStatus(s: StreamStatus): void }): () => void {
  let socket: WebSocket | undefined;
  let wait = 1000;
  let stopped = false;
  let timer: number | undefined;
  const open = () => {
    handlers.onStatus("connecting");
    const s = new WebSocket(url);
    socket = s;
    s.onopen = () => {
      wait = 1000;
      handlers.onStatus("live");
      handlers.onOpen();
    };
    s.onmessage = (m) => {
      if (typeof m.data === "string") handlers.onEvent(m.data);
    };
    s.onclose = () => {
      if (stopped) return;
      handlers.onStatus("lost");
      timer = window.setTimeout(open, wait);
      wait = Math.min(15_000, wait * 2);
    };
  };
  open();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
    socket?.close();
  };
}
