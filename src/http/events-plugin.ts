// GET /v1/events, the same in every service: a WebSocket on which each event
// of the service's hub arrives as one JSON text message (see event-stream.ts
// for the slow-client bound). Clients only listen; what they send is ignored.
// Registers @fastify/websocket inside its own scope, so a service needs nothing else.
import websocket from "@fastify/websocket";
import type { FastifyPluginAsync } from "fastify";
import { ApiError } from "./api-error.js";
import { errorResponses } from "./error-schema.js";
import type { EventHub } from "./event-hub.js";
import { type EventStreamOptions, streamEvents } from "./event-stream.js";

export interface EventsPluginOptions<E extends { type: string }> extends EventStreamOptions {
  hub: Pick<EventHub<E>, "subscribe">;
  /** The event types, for the OpenAPI document. */
  summary: string;
}

export function eventsPlugin<E extends { type: string }>(opts: EventsPluginOptions<E>): FastifyPluginAsync {
  return async (app) => {
    await app.register(websocket);
    app.route({
      method: "GET",
      url: "/v1/events",
      schema: { tags: ["events"], summary: `WebSocket: ${opts.summary}`, response: errorResponses(426) },
      handler: async () => {
        throw new ApiError(426, "UPGRADE_REQUIRED", "GET /v1/events is a WebSocket: connect with Upgrade: websocket");
      },
      wsHandler: (socket) => streamEvents(opts.hub, socket, opts),
    });
  };
}
