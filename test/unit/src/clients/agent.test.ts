// AgentClient: errors say which agent; the image calls answer "none" and
// "no-route" for a 404 and throw for anything else.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../../../edge-agent/service/agent.js";
import { buildApp } from "../../../../edge-agent/service/app.js";
import { AgentClient } from "../../../../src/clients/agent.js";
import { ServiceError, ServiceUnreachable } from "../../../../src/http/client-errors.js";
import { closedPort } from "../../../helpers/ports.js";
import { TEST_ALLOW } from "../../../helpers/allow-list.js";

let app: FastifyInstance;
let url: string;

beforeAll(async () => {
  const caps = { criu: { present: false, checkOk: false, features: {} }, docker: { present: false, error: "no engine (test)" }, cgroupCpu: { ok: false, error: "test" }, strategies: {} };
  app = await buildApp(new Agent({ node: "edge1", tier: "edge", selfUrl: "http://127.0.0.1:7701", workRoot: "/tmp/fm-clients-unused", allow: TEST_ALLOW }, caps));
  url = await app.listen({ host: "127.0.0.1", port: 0 });
});
afterAll(async () => app?.close());

describe("AgentClient", () => {
  it("reads the agent's info and names it in its errors", async () => {
    const agent = new AgentClient(url, { node: "edge1" });
    expect(await agent.info()).toMatchObject({ node: "edge1", tier: "edge" });
    const err = await agent.migration("m-none").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as Error).message).toBe(`agent edge1 at ${url}: GET /v1/migrations/m-none answered 404: no migration m-none`);
  });

  it("answers undefined for an image the agent cannot have, and throws when it cannot load one", async () => {
    const agent = new AgentClient(url);
    expect(await agent.imageId("busybox:latest")).toBeUndefined();
    const err = await agent.loadImage({ migrationId: "m-1", file: "image.tar", ref: "busybox:latest" }).catch((e: unknown) => e);
    expect((err as ServiceError).status).toBe(400);
    expect((err as Error).message).toMatch(/^agent at .*: POST \/v1\/images answered 400: no Docker engine on this agent/);
  });

  it("answers no-route from an agent without POST /v1/images", async () => {
    const older = new AgentClient(url, { fetch: async () => new Response(JSON.stringify({ message: "Route POST:/v1/images not found" }), { status: 404 }) });
    expect(await older.loadImage({ migrationId: "m-1", file: "image.tar", ref: "x" })).toBe("no-route");
  });

  it("says which agent it could not reach", async () => {
    const gonePort = await closedPort();
    const gone = new AgentClient(`http://127.0.0.1:${gonePort}`, { node: "edge2", backoff: { attempts: 1, baseMs: 1, maxMs: 1 } });
    const err = await gone.commitIncoming("m-1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceUnreachable);
    expect((err as Error).message).toBe(`cannot reach agent edge2 at http://127.0.0.1:${gonePort}: ECONNREFUSED`);
  });
});
