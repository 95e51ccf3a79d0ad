// The agent's HTTP service: fastify with one plugin per feature, OpenAPI at
// /openapi.json, progress events over WebSocket at /v1/events.
import swagger from "@fastify/swagger";
import websocket from "@fastify/websocket";
import Fastify, { type FastifyInstance } from "fastify";
import { ChecksumError } from "../transfer/receiver.js";
import { type Agent, BadRequest } from "./agent.js";
import { eventsPlugin } from "./events.js";
import { imagesPlugin } from "./images.js";
import { incomingPlugin } from "./incoming.js";
import { infoPlugin } from "./info.js";
import { migrationsPlugin } from "./migrations.js";
import { workloadsPlugin } from "./workloads.js";

export async function buildApp(agent: Agent): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 1 << 20, forceCloseConnections: true });
  await app.register(swagger, { openapi: { info: { title: "FlexiMigrate edge agent", version: "0.1.0" } } });
  await app.register(websocket);
  app.setErrorHandler((err, _req, reply) => {
    const e = err as Error & { statusCode?: number; validation?: unknown };
    if (e instanceof BadRequest || e instanceof ChecksumError || e.validation) return reply.code(400).send({ message: e.message });
    return reply.code(e.statusCode && e.statusCode >= 400 ? e.statusCode : 500).send({ message: e.message });
  });
  await app.register(infoPlugin(agent));
  await app.register(workloadsPlugin(agent));
  await app.register(migrationsPlugin(agent));
  await app.register(incomingPlugin(agent));
  await app.register(imagesPlugin(agent));
  await app.register(eventsPlugin(agent));
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  return app;
}
