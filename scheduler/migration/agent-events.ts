// The source agent's migration events, followed over its WebSocket while a
// move waits for the workload to resume: an event wakes the manager's wait at
// once, so the redirect follows the resume without a poll interval's delay.
// The poll stays the truth (and the fallback when the stream is down).
import WebSocket from "ws";
import { type ClientTls, wsTlsOptions } from "../../src/http/tls-fetch.js";

type Listener = (event: Record<string, unknown>) => void;

export class AgentEvents {
  private socket: WebSocket | undefined;
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(
    private readonly endpoint: string,
    private readonly tls?: ClientTls,
  ) {}

  /** Calls `listener` with each event of migration `id` until the returned function is called. */
  follow(id: string, listener: Listener): () => void {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(listener);
    this.connect();
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(id);
      if (this.listeners.size === 0) this.close();
    };
  }

  close(): void {
    const s = this.socket;
    this.socket = undefined;
    s?.removeAllListeners();
    s?.on("error", () => {});
    s?.terminate();
  }

  private connect(): void {
    if (this.socket) return;
    const s = new WebSocket(`${this.endpoint.replace(/^http/, "ws")}/v1/events`, wsTlsOptions(this.tls, "agent"));
    this.socket = s;
    s.on("message", (raw) => {
      let e: Record<string, unknown>;
      try {
        e = JSON.parse(String(raw)) as Record<string, unknown>;
      } catch {
        return;
      }
      const id = typeof e.migrationId === "string" ? e.migrationId : undefined;
      if (id) for (const l of this.listeners.get(id) ?? []) l(e);
    });
    // A broken stream only costs speed: the next follow() opens a new one.
    const drop = () => {
      if (this.socket === s) this.socket = undefined;
    };
    s.on("error", drop);
    s.on("close", drop);
  }
}
