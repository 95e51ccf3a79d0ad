import { describe, expect, it } from "vitest";
import { ApiError, codeForStatus } from "../../../../src/http/api-error.js";

describe("ApiError", () => {
  it("carries status, code, message and details; the shorthands fill status and code", () => {
    const e = new ApiError(502, "SWITCH_FAILED", "switch 1: gone", { dpid: "1" });
    expect(e).toBeInstanceOf(Error);
    expect({ status: e.statusCode, code: e.code, message: e.message, details: e.details }).toEqual({
      status: 502,
      code: "SWITCH_FAILED",
      message: "switch 1: gone",
      details: { dpid: "1" },
    });
    expect([ApiError.badRequest("a"), ApiError.notFound("b"), ApiError.conflict("c", { reason: "r" })].map((x) => [x.statusCode, x.code, x.message, x.details])).toEqual([
      [400, "BAD_REQUEST", "a", {}],
      [404, "NOT_FOUND", "b", {}],
      [409, "CONFLICT", "c", { reason: "r" }],
    ]);
  });

  it("names a bare status: known ones by name, other 4xx BAD_REQUEST, 5xx INTERNAL", () => {
    expect([400, 404, 409, 413, 415, 426, 503, 418, 500, 502].map(codeForStatus)).toEqual([
      "BAD_REQUEST",
      "NOT_FOUND",
      "CONFLICT",
      "PAYLOAD_TOO_LARGE",
      "UNSUPPORTED_MEDIA_TYPE",
      "UPGRADE_REQUIRED",
      "UNAVAILABLE",
      "BAD_REQUEST",
      "INTERNAL",
      "INTERNAL",
    ]);
  });
});
