// GET /v1/info: who this agent is and what it can do.
import type { FastifyInstance } from "fastify";
import type { AgentInfo } from "../../src/api-types/agent.js";
import { bridgeDpid } from "../runtime/netns.js";
import type { Agent } from "./agent.js";

export const infoPlugin = (agent: Agent) => async (app: FastifyInstance) => {
  app.get("/v1/info", async (): Promise<AgentInfo> => {
    const bridge = agent.opts.bridge;
    // Asked each time: OVS may assign the datapath id after the agent started.
    const network = bridge ? { bridge, dpid: await bridgeDpid(bridge).catch(() => null) } : undefined;
    return { node: agent.opts.node, tier: agent.opts.tier, url: agent.opts.selfUrl, capabilities: agent.caps, ...(network && { network }) };
  });
};
