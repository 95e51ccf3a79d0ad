// GET /v1/images?ref=NAME: the image id this agent's Docker engine has for
// NAME. A source agent asks before a Docker migration and sends the image
// only when the ids differ.
import type { FastifyInstance } from "fastify";
import type { Agent } from "./agent.js";

const querySchema = {
  type: "object",
  additionalProperties: false,
  required: ["ref"],
  properties: { ref: { type: "string", minLength: 1, maxLength: 512 } },
} as const;

export const imagesPlugin = (agent: Agent) => async (app: FastifyInstance) => {
  app.get<{ Querystring: { ref: string } }>("/v1/images", { schema: { querystring: querySchema } }, async (req, reply) => {
    const { ref } = req.query;
    if (!agent.caps.docker.present) return reply.code(404).send({ message: `no Docker engine on this agent: ${agent.caps.docker.error ?? "absent"}` });
    const id = await agent.docker.imageId(ref);
    if (!id) return reply.code(404).send({ message: `no image ${ref} here` });
    return { ref, id };
  });
};
