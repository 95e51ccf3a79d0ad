// Every way a request can fail leaves as the one error body.
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError } from "../../../../src/http/api-error.js";
import { installErrorHandling, toApiError } from "../../../../src/http/error-handler.js";
import { errorResponses } from "../../../../src/http/error-schema.js";

class LibraryError extends Error {}

let app: FastifyInstance;
const logged: string[] = [];

beforeAll(async () => {
  app = Fastify({ bodyLimit: 1024 });
  installErrorHandling(app, {
    translate: (err) => (err instanceof LibraryError ? new ApiError(400, "CHECKSUM_MISMATCH", err.message) : undefined),
    logInternal: (err) => void logged.push(err.message),
  });
  await app.register(async (scoped) => {
    // Routes in a child scope, as services register them: the root's handling still applies.
    scoped.get("/refused", { schema: { response: errorResponses(409) } }, async () => {
      throw new ApiError(409, "TASK_REFUSED", "task 't-1' refused: full", { reason: "full", task: { id: "t-1" } });
    });
    scoped.post(
      "/typed",
      { schema: { body: { type: "object", required: ["n"], properties: { n: { type: "integer" } } }, response: errorResponses(400) } },
      async () => ({ ok: true }),
    );
    scoped.get("/bug", async () => {
      throw new Error("boom");
    });
    scoped.get("/engine", async () => {
      throw Object.assign(new Error("no such image: x"), { statusCode: 404 });
    });
    scoped.get("/library", async () => {
      throw new LibraryError("sha256 differs");
    });
  });
  await app.ready();
});

afterAll(() => app.close());

async function call(method: "GET" | "POST", url: string, payload?: string, contentType = "application/json") {
  const res = await app.inject({ method, url, payload, headers: payload === undefined ? {} : { "content-type": contentType } });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> };
}

describe("installErrorHandling", () => {
  it("answers an ApiError with its status, code, message and details, serialized through errorSchema", async () => {
    expect(await call("GET", "/refused")).toEqual({
      status: 409,
      body: { statusCode: 409, error: "Conflict", code: "TASK_REFUSED", message: "task 't-1' refused: full", reason: "full", task: { id: "t-1" } },
    });
  });

  it("answers a schema violation 400 VALIDATION_FAILED, naming the field", async () => {
    const r = await call("POST", "/typed", JSON.stringify({ n: "one" }));
    expect(r).toMatchObject({ status: 400, body: { statusCode: 400, error: "Bad Request", code: "VALIDATION_FAILED" } });
    expect(r.body.message).toMatch(/body\/n must be integer/);
  });

  it("answers a body that does not parse, or is too large, or of an unknown type, with its status", async () => {
    expect(await call("POST", "/typed", "{not json")).toMatchObject({ status: 400, body: { statusCode: 400, error: "Bad Request", code: "BAD_REQUEST" } });
    expect(await call("POST", "/typed", JSON.stringify({ n: 1, pad: "x".repeat(2048) }))).toMatchObject({
      status: 413,
      body: { statusCode: 413, code: "PAYLOAD_TOO_LARGE" },
    });
    expect(await call("POST", "/typed", "n=1", "application/x-www-form-urlencoded")).toMatchObject({
      status: 415,
      body: { statusCode: 415, code: "UNSUPPORTED_MEDIA_TYPE" },
    });
  });

  it("answers an unknown route 404 NOT_FOUND", async () => {
    expect(await call("GET", "/nowhere")).toEqual({
      status: 404,
      body: { statusCode: 404, error: "Not Found", code: "NOT_FOUND", message: "Route GET:/nowhere not found" },
    });
  });

  it("keeps the status a library's error carries, and applies the service's translation", async () => {
    expect(await call("GET", "/engine")).toEqual({ status: 404, body: { statusCode: 404, error: "Not Found", code: "NOT_FOUND", message: "no such image: x" } });
    expect(await call("GET", "/library")).toEqual({
      status: 400,
      body: { statusCode: 400, error: "Bad Request", code: "CHECKSUM_MISMATCH", message: "sha256 differs" },
    });
  });

  it("answers a fault 500 INTERNAL with its message but no stack, and logs it (only faults are logged)", async () => {
    logged.length = 0;
    const r = await call("GET", "/bug");
    expect(r).toEqual({ status: 500, body: { statusCode: 500, error: "Internal Server Error", code: "INTERNAL", message: "boom" } });
    expect(logged).toEqual(["boom"]);
    await call("GET", "/refused");
    await call("GET", "/engine");
    expect(logged).toEqual(["boom"]);
  });
});

describe("toApiError", () => {
  it("passes an ApiError through and makes a fault of anything else", () => {
    const e = ApiError.notFound("x");
    expect(toApiError(e)).toBe(e);
    expect(toApiError("a string")).toMatchObject({ statusCode: 500, code: "INTERNAL", message: "a string" });
    expect(toApiError(Object.assign(new Error("weird"), { statusCode: 304 }))).toMatchObject({ statusCode: 500, code: "INTERNAL" });
  });
});
