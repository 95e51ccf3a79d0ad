// Agent-to-agent protocol, destination side: open a migration, receive image
// files (sha256-checked), restore with a named hook, then commit or abort.
import type { FastifyInstance } from "fastify";
import type { Neighbour } from "../../src/api-types/agent.js";
import type { Readable } from "node:stream";
import { ApiError } from "../../src/http/api-error.js";
import { errorResponses } from "../../src/http/error-schema.js";
import { freeFormObjectSchema } from "../../src/http/validation.js";
import type { WorkloadRecord } from "../runtime/types.js";
import { isSafeName } from "../transfer/manifest.js";
import { BundleError } from "../transfer/bundle.js";
import { receiveBundle, receiveFile, receivePart, sealFile } from "../transfer/receiver.js";
import { BUNDLE_MAX } from "../transfer/sender.js";
import type { Agent } from "./agent.js";
import { specSchema } from "./workloads.js";
import { MAX_NEIGHBOURS } from "../runtime/neighbours.js";
import { MIGRATION_TOKEN_HEADER } from "./migration-token.js";

/** The source's record of the workload that arrives, kept as this agent's record once restored. */
const arrivingWorkloadSchema = {
  type: "object",
  required: ["id", "runtime", "spec"],
  additionalProperties: false,
  properties: {
    id: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$" },
    runtime: { type: "string", enum: ["direct", "docker"] },
    spec: specSchema,
    state: { type: "string", maxLength: 32 },
    createdAt: { type: "string", maxLength: 64 },
    pid: { type: "integer", minimum: 1 },
    cgroup: { type: "string", maxLength: 4096 },
    containerId: { type: "string", maxLength: 128 },
    namespaces: { type: "array", maxItems: 16, items: { type: "string", maxLength: 32 } },
    migratedFrom: freeFormObjectSchema(),
  },
} as const;

const openedSchema = {
  type: "object",
  required: ["ok"],
  properties: {
    ok: { type: "boolean" },
    token: { type: "string" },
    network: {
      type: "object",
      required: ["dpid", "ofport"],
      properties: { dpid: { type: ["string", "null"] }, ofport: { type: ["integer", "null"] } },
    },
  },
} as const;

export const incomingPlugin = (agent: Agent) => async (app: FastifyInstance) => {
  app.addContentTypeParser("application/octet-stream", (_req, payload, done) => done(null, payload));

  // Every call on an open migration carries its one-time token, checked before its body is read:
  // a stranger can neither push files into it nor restore, commit or abort it.
  app.addHook("onRequest", async (req) => {
    const id = (req.params as { id?: string }).id;
    if (id !== undefined && agent.incoming.has(id)) agent.authorizeIncoming(id, req.headers[MIGRATION_TOKEN_HEADER]);
  });

  app.post<{ Body: { migrationId: string; workload: WorkloadRecord; source: string; neighbours?: Neighbour[] } }>(
    "/v1/incoming",
    {
      schema: {
        body: {
          type: "object",
          required: ["migrationId", "workload", "source"],
          additionalProperties: false,
          properties: {
            migrationId: { type: "string", pattern: "^[A-Za-z0-9-]{1,64}$" },
            workload: arrivingWorkloadSchema,
            source: { type: "string", minLength: 1, maxLength: 2048 },
            neighbours: {
              type: "array",
              maxItems: MAX_NEIGHBOURS,
              items: {
                type: "object",
                required: ["ip", "mac"],
                additionalProperties: false,
                properties: { ip: { type: "string", pattern: "^((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])$" }, mac: { type: "string", pattern: "^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$" } },
              },
            },
          },
        },
        response: { 201: openedSchema, ...errorResponses(400) },
      },
    },
    async (req, reply) => {
      return reply.code(201).send(await agent.openIncoming(req.body.migrationId, req.body.workload, req.body.source, req.body.neighbours));
    },
  );

  // Several small files in one body, each with its sha256 (transfer/bundle.ts): all written or none.
  app.post<{ Params: { id: string } }>("/v1/incoming/:id/files", { schema: { response: errorResponses(400) } }, async (req) => {
    const dir = agent.incomingDir(req.params.id);
    try {
      return { files: await receiveBundle(req.body as Readable, dir, BUNDLE_MAX) };
    } catch (err) {
      if (err instanceof BundleError) throw ApiError.badRequest(err.message);
      throw err;
    }
  });

  // sha256 of each `.part` as it arrived, until the sender seals it with its own.
  const arrived = new Map<string, string>();

  app.put<{ Params: { id: string; name: string } }>("/v1/incoming/:id/files/:name", { schema: { response: errorResponses(400) } }, async (req) => {
    const { id, name } = req.params;
    if (!isSafeName(name)) throw ApiError.badRequest(`bad file name ${name}`);
    const dir = agent.incomingDir(id);
    const gzip = req.headers["x-encoding"] === "gzip";
    const sha = req.headers["x-sha256"];
    // Hash known up front: checked right here.
    if (sha !== undefined && (typeof sha !== "string" || !/^[0-9a-f]{64}$/.test(sha))) throw ApiError.badRequest("x-sha256 must be a hex sha256");
    // A sender that vanished mid-file must not pin the request (and its .part file) forever.
    // The idle timeout lasts for this upload only: a kept-alive socket carries many files.
    const socket = req.raw.socket;
    const onIdle = () => socket.destroy();
    socket.setTimeout(30_000);
    socket.once("timeout", onIdle);
    try {
      if (sha !== undefined) return { name, size: await receiveFile(req.body as Readable, dir, name, sha, gzip) };
      const part = await receivePart(req.body as Readable, dir, name, gzip);
      arrived.set(`${id}/${name}`, part.sha256);
      return { name, size: part.size };
    } finally {
      socket.off("timeout", onIdle);
      socket.setTimeout(0);
    }
  });

  app.post<{ Params: { id: string; name: string }; Body: { sha256: string } }>(
    "/v1/incoming/:id/files/:name/seal",
    {
      schema: {
        body: { type: "object", required: ["sha256"], additionalProperties: false, properties: { sha256: { type: "string", pattern: "^[0-9a-f]{64}$" } } },
        response: errorResponses(400),
      },
    },
    async (req) => {
      const { id, name } = req.params;
      if (!isSafeName(name)) throw ApiError.badRequest(`bad file name ${name}`);
      const key = `${id}/${name}`;
      const got = arrived.get(key);
      arrived.delete(key);
      await sealFile(agent.incomingDir(id), name, req.body.sha256, got);
      return { name, sealed: true };
    },
  );

  // Prepare and restore name a destination hook and its params alike.
  const hookBodySchema = {
    type: "object",
    required: ["hook"],
    additionalProperties: false,
    properties: { hook: { type: "string", minLength: 1, maxLength: 64 }, params: freeFormObjectSchema() },
  } as const;

  // Same body as restore: the hook starts what it can before the source freezes.
  app.post<{ Params: { id: string }; Body: { hook: string; params?: Record<string, unknown> } }>(
    "/v1/incoming/:id/prepare",
    {
      schema: {
        body: hookBodySchema,
        response: errorResponses(400),
      },
    },
    async (req) => {
      const prepared = await agent.prepareIncoming(req.params.id, req.body.hook, req.body.params ?? {});
      return { prepared };
    },
  );

  app.post<{ Params: { id: string }; Body: { hook: string; params?: Record<string, unknown> } }>(
    "/v1/incoming/:id/restore",
    {
      schema: {
        body: hookBodySchema,
        response: errorResponses(400),
      },
    },
    async (req) => {
      const record = await agent.restoreIncoming(req.params.id, req.body.hook, req.body.params ?? {});
      const net = record.network;
      const timings = agent.incoming.get(req.params.id)?.timings;
      return { workloadId: record.id, pid: record.pid, ...(timings && { timings }), ...(net && { network: { dpid: net.dpid, ofport: net.ofport } }) };
    },
  );

  app.post<{ Params: { id: string } }>("/v1/incoming/:id/commit", { schema: { response: errorResponses(400) } }, async (req) => {
    await agent.commitIncoming(req.params.id);
    return { ok: true };
  });

  app.post<{ Params: { id: string } }>("/v1/incoming/:id/abort", async (req) => {
    await agent.abortIncoming(req.params.id);
    return { ok: true };
  });
};
