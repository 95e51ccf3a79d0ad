import { describe, expect, it } from "vitest";
import { ApiError } from "../../../../src/http/api-error.js";
import { errorBody, errorResponses, errorSchema } from "../../../../src/http/error-schema.js";

describe("errorBody", () => {
  it("puts the four fixed fields first and the details beside them", () => {
    const body = errorBody(new ApiError(409, "TASK_REFUSED", "task 't-1' refused: full", { reason: "full", task: { id: "t-1" } }));
    expect(body).toEqual({ statusCode: 409, error: "Conflict", code: "TASK_REFUSED", message: "task 't-1' refused: full", reason: "full", task: { id: "t-1" } });
    expect(Object.keys(body).slice(0, 4)).toEqual(["statusCode", "error", "code", "message"]);
  });

  it("never lets a detail overwrite a fixed field", () => {
    const body = errorBody(new ApiError(404, "NOT_FOUND", "no node 'x'", { statusCode: 200, code: "OK", message: "fine", error: "none", node: "x" }));
    expect(body).toEqual({ statusCode: 404, error: "Not Found", code: "NOT_FOUND", message: "no node 'x'", node: "x" });
  });
});

describe("errorSchema", () => {
  it("requires all four fields and lets details through", () => {
    expect(errorSchema.required).toEqual(["statusCode", "error", "code", "message"]);
    expect(errorSchema.additionalProperties).toBe(true);
    expect(errorResponses(400, 404)).toEqual({ 400: errorSchema, 404: errorSchema });
  });
});
