// GET /v1/info: who this agent is and what it can do.
import type { FastifyInstance } from "fastify";
import type { Agent } from "./agent.js";

export const infoPlugin = (agent: Agent) => async (app: FastifyInstance) => {
  app.get("/v1/info", async () => ({ node: agent.opts.node, tier: agent.opts.tier, url: agent.opts.selfUrl, capabilities: agent.caps }));
};
