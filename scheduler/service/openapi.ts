// The OpenAPI document, generated from the routes' own schemas (dynamic mode),
// served at GET /openapi.json.
import swagger from "@fastify/swagger";
import type { FastifyInstance } from "fastify";

/** Registers the generator; must run before the routes so that it sees them. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0", // 3.1: the routes' JSON Schema (numeric exclusiveMinimum) is valid as is
      info: {
        title: "FlexiMigrate scheduler",
        description: "Delay-aware placement of IoT tasks on edge and cloud nodes",
        version: "0.1.0",
      },
      tags: [
        { name: "nodes", description: "Edge and cloud nodes, registered by their agents" },
        { name: "devices", description: "IoT devices that submit tasks" },
        { name: "tasks", description: "Placement of tasks, and the moves it triggers" },
        { name: "groups", description: "Service groups: tasks that move together" },
        { name: "models", description: "Latency models" },
        { name: "events", description: "Live event stream" },
      ],
    },
  });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
}
