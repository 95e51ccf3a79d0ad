// GET /v1/events: a WebSocket that streams every scheduler event as one JSON
// text message. Clients only listen; anything they send is ignored.
import type { FastifyPluginAsync } from "fastify";
import type { ServiceContext } from "./context.js";

export function eventsPlugin(ctx: ServiceContext): FastifyPluginAsync {
  return async (app) => {
    app.get(
      "/v1/events",
      {
        websocket: true,
        schema: {
          tags: ["events"],
          summary: "WebSocket: {type: placed|refused|migration-requested|released|node-registered|node-removed, at, ...}",
        },
      },
      (socket) => {
        const unsubscribe = ctx.events.subscribe((event) => {
          if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(event));
        });
        socket.on("close", unsubscribe);
        socket.on("error", unsubscribe);
      },
    );
  };
}
