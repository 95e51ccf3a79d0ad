// The Docker images a migration needs on this (destination) agent's engine.
// GET /v1/images?ref=NAME: the image id the engine has for NAME; a source
// agent asks before a Docker migration and sends the image only when the ids
// differ. POST /v1/images: `docker load` of an image tar that arrived with an
// open incoming migration, so the load happens while the source's container
// still runs, not inside the downtime.
import { createReadStream } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { ApiError } from "../../src/http/api-error.js";
import { errorResponses } from "../../src/http/error-schema.js";
import { isSafeName } from "../transfer/manifest.js";
import type { Agent } from "./agent.js";
import { MIGRATION_TOKEN_HEADER } from "./migration-token.js";

const refSchema = { type: "string", minLength: 1, maxLength: 512 } as const;

const querySchema = {
  type: "object",
  additionalProperties: false,
  required: ["ref"],
  properties: { ref: refSchema },
} as const;

const loadSchema = {
  type: "object",
  additionalProperties: false,
  required: ["migrationId", "file", "ref"],
  properties: {
    migrationId: { type: "string", pattern: "^[A-Za-z0-9-]{1,64}$" },
    file: { type: "string", pattern: "^[A-Za-z0-9._-]{1,200}$" },
    ref: refSchema,
  },
} as const;

export const imagesPlugin = (agent: Agent) => async (app: FastifyInstance) => {
  app.get<{ Querystring: { ref: string } }>("/v1/images", { schema: { querystring: querySchema, response: errorResponses(400, 404) } }, async (req) => {
    const { ref } = req.query;
    if (!agent.caps.docker.present) throw ApiError.notFound(`no Docker engine on this agent: ${agent.caps.docker.error ?? "absent"}`);
    const id = await agent.docker.imageId(ref);
    if (!id) throw ApiError.notFound(`no image ${ref} here`);
    return { ref, id };
  });

  app.post<{ Body: { migrationId: string; file: string; ref: string } }>("/v1/images", { schema: { body: loadSchema, response: errorResponses(400) } }, async (req) => {
    const { migrationId, file, ref } = req.body;
    // A 404 would read as "an agent without this route" to the source, which then loads at restore.
    if (!agent.caps.docker.present) throw ApiError.badRequest(`no Docker engine on this agent: ${agent.caps.docker.error ?? "absent"}`);
    if (!isSafeName(file)) throw ApiError.badRequest(`bad file name ${file}`);
    // Only the source that opened the migration loads what arrived with it.
    agent.authorizeIncoming(migrationId, req.headers[MIGRATION_TOKEN_HEADER]);
    const tar = path.join(agent.incomingDir(migrationId), file);
    const opened = createReadStream(tar);
    await new Promise<void>((resolve, reject) => {
      opened.once("open", () => resolve());
      opened.once("error", (err) => reject(ApiError.badRequest(`migration ${migrationId} has no file ${file}: ${err.message}`)));
    });
    await agent.docker.loadImage(opened);
    await rm(tar, { force: true });
    const id = await agent.docker.imageId(ref);
    if (!id) throw new Error(`docker load of ${file} did not give an image ${ref}`);
    return { ref, id };
  });
};
