// GET /v1/events: a WebSocket stream of workload and migration progress events.
import type { FastifyInstance } from "fastify";
import type { Agent } from "./agent.js";

export const eventsPlugin = (agent: Agent) => async (app: FastifyInstance) => {
  app.get("/v1/events", { websocket: true }, (socket) => {
    const send = (ev: unknown) => socket.send(JSON.stringify(ev));
    agent.events.on("event", send);
    socket.on("close", () => agent.events.off("event", send));
  });
};
