// The event stream: everything the controller notices (switch up/down,
// links, hosts, flow changes, redirects, DNS) goes to WebSocket subscribers
// of GET /v1/events as one JSON object per message.
import type { FastifyPluginAsync } from "fastify";
import { toJsonValue } from "./flow-json.js";

export interface ControllerEvent {
  type: string;
  [key: string]: unknown;
}

export class EventHub {
  private readonly subscribers = new Set<(e: ControllerEvent & { at: string }) => void>();

  emit(event: ControllerEvent): void {
    if (this.subscribers.size === 0) return;
    const stamped = { ...(toJsonValue(event) as ControllerEvent), at: new Date().toISOString() };
    for (const s of this.subscribers) s(stamped);
  }

  subscribe(fn: (e: ControllerEvent & { at: string }) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }
}

export const eventRoutes: FastifyPluginAsync<{ hub: EventHub }> = async (app, opts) => {
  app.get("/v1/events", { websocket: true, schema: { summary: "WebSocket stream of controller events (JSON per message)", tags: ["events"] } }, (socket) => {
    const unsubscribe = opts.hub.subscribe((e) => {
      if (socket.readyState === 1) socket.send(JSON.stringify(e));
    });
    socket.on("close", unsubscribe);
    socket.on("error", unsubscribe);
  });
};
