import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { echoReply, encodeMessage, isRequest, isResponse, JsonStreamSplitter } from "../../../../controller/ovsdb/jsonrpc.js";

describe("JsonStreamSplitter", () => {
  it("splits back-to-back messages, including braces and escaped quotes inside strings", () => {
    const s = new JsonStreamSplitter();
    const a = { id: 1, result: [{ rows: [{ name: 'we"ird}{[' }] }], error: null };
    const b = { method: "echo", params: ["é\\", "}"], id: "echo" };
    expect(s.push(`${JSON.stringify(a)}\n${JSON.stringify(b)}`)).toEqual([a, b]);
  });

  it("reassembles messages split at any byte, including inside multi-byte characters (property)", () => {
    const values = fc.array(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.array(fc.string()))), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(values, fc.array(fc.nat(), { maxLength: 6 }), (msgs, cutsRaw) => {
        const bytes = Buffer.concat(msgs.map((m) => Buffer.from(JSON.stringify(m), "utf8")));
        const cuts = [...new Set(cutsRaw.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y);
        const s = new JsonStreamSplitter();
        const out: unknown[] = [];
        let prev = 0;
        for (const c of [...cuts, bytes.length]) {
          out.push(...s.push(bytes.subarray(prev, c)));
          prev = c;
        }
        expect(out).toEqual(msgs);
      }),
    );
  });

  it("holds an incomplete message until the rest arrives", () => {
    const s = new JsonStreamSplitter();
    expect(s.push('{"id":3,"result":[')).toEqual([]);
    expect(s.push('1,2],"error":null}')).toEqual([{ id: 3, result: [1, 2], error: null }]);
  });

  it("throws on garbage between messages", () => {
    expect(() => new JsonStreamSplitter().push("xyz")).toThrow(/unexpected byte/);
    expect(() => new JsonStreamSplitter().push("}")).toThrow(/unbalanced/);
  });
});

describe("JSON-RPC messages", () => {
  it("tells requests from responses and echoes an echo", () => {
    const echo = { method: "echo", params: ["x"], id: "echo" };
    expect(isRequest(echo)).toBe(true);
    expect(isResponse(echo)).toBe(false);
    expect(echoReply(echo)).toEqual({ result: ["x"], error: null, id: "echo" });
    expect(isResponse({ id: 4, result: null, error: "x" })).toBe(true);
    expect(JSON.parse(encodeMessage({ method: "list_dbs", params: [], id: 1 }).toString())).toEqual({ method: "list_dbs", params: [], id: 1 });
  });
});
