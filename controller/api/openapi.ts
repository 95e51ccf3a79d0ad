// Registers @fastify/swagger (before the routes, so it sees them) and serves
// the generated OpenAPI document at GET /openapi.json.
import swagger from "@fastify/swagger";
import type { FastifyInstance } from "fastify";

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: { title: "FlexiMigrate SDN controller", version: "0.1.0", description: "OpenFlow 1.3 controller: switches, flows, topology, hosts, DNS and service redirects" },
    },
  });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
}
