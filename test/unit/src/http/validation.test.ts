// The shared input discipline on a small fastify app: no coercion, unknown
// fields refused by name, and free-form values bounded at exactly their
// depth and size limits.
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installErrorHandling } from "../../../../src/http/error-handler.js";
import { type FreeFormBounds, freeFormObjectSchema, freeFormSchema, STRICT_AJV } from "../../../../src/http/validation.js";

const BOUNDS: FreeFormBounds = { depth: 3, maxProperties: 4, maxItems: 5, maxLength: 8 };

let app: FastifyInstance;

beforeAll(async () => {
  app = Fastify({ ajv: STRICT_AJV });
  installErrorHandling(app);
  app.post(
    "/things",
    {
      schema: {
        body: {
          type: "object",
          required: ["count"],
          additionalProperties: false,
          properties: {
            count: { type: "integer", description: "how many things" },
            tags: { type: "array", items: { type: "string" }, default: [] },
            free: freeFormSchema(BOUNDS),
            obj: freeFormObjectSchema(BOUNDS),
          },
        },
      },
    },
    async (req) => req.body,
  );
  await app.ready();
});

afterAll(() => app.close());

const post = (body: unknown) => app.inject({ method: "POST", url: "/things", payload: JSON.stringify(body), headers: { "content-type": "application/json" } });

/** `depth` levels of objects around a scalar. */
const nested = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { n: v };
  return v;
};

describe("STRICT_AJV", () => {
  it("never coerces: a string is not a number, nor a number a string, nor null a number", async () => {
    for (const [body, message] of [
      [{ count: "3" }, /body\/count must be integer \(how many things\)/],
      [{ count: 3, tags: [7] }, /body\/tags\/0 must be string/],
      [{ count: null }, /body\/count must be integer/],
    ] as const) {
      const res = await post(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json()).toMatchObject({ statusCode: 400, error: "Bad Request", code: "VALIDATION_FAILED", message: expect.stringMatching(message) });
    }
  });

  it("refuses an unknown field and names it, at the top and below", async () => {
    const top = await post({ count: 1, colour: "red" });
    expect(top.statusCode).toBe(400);
    expect(top.json().message).toBe("body must NOT have additional properties (unknown properties: colour)");
  });

  it("still fills a default for an absent field, and keeps what was sent", async () => {
    const res = await post({ count: 2 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ count: 2, tags: [] });
  });
});

describe("freeFormSchema", () => {
  it("takes any JSON value up to its depth, and refuses one level more, naming the path", async () => {
    expect((await post({ count: 1, free: nested(3) })).statusCode).toBe(200);
    expect((await post({ count: 1, free: [[["ok"]]] })).statusCode).toBe(200);
    const deep = await post({ count: 1, free: nested(4) });
    expect(deep.statusCode).toBe(400);
    expect(deep.json().message).toMatch(/^body\/free\/n\/n\/n must be string,number,boolean,null/);
    expect((await post({ count: 1, free: [[[["no"]]]] })).statusCode).toBe(400);
  });

  it("bounds fields, items, strings and field names at every level", async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ a: 1, b: 2, c: 3, d: 4, e: 5 }, /body\/free must NOT have more than 4 properties/],
      [{ a: [1, 2, 3, 4, 5, 6] }, /body\/free\/a must NOT have more than 5 items/],
      [{ a: { b: "123456789" } }, /body\/free\/a\/b must NOT have more than 8 characters/],
      [{ "123456789": 1 }, /body\/free property name must be valid/],
    ];
    for (const [free, message] of cases) {
      const res = await post({ count: 1, free });
      expect(res.statusCode, JSON.stringify(free)).toBe(400);
      expect(res.json().message).toMatch(message);
    }
    expect((await post({ count: 1, free: { a: 1, b: [1, 2, 3, 4, 5], c: "12345678" } })).statusCode).toBe(200);
  });

  it("freeFormObjectSchema: the same bounds, but the value must be an object", async () => {
    expect((await post({ count: 1, obj: { a: nested(2) } })).statusCode).toBe(200);
    expect((await post({ count: 1, obj: { a: nested(3) } })).statusCode).toBe(400);
    const scalar = await post({ count: 1, obj: "text" });
    expect(scalar.statusCode).toBe(400);
    expect(scalar.json().message).toMatch(/body\/obj must be object/);
  });
});
