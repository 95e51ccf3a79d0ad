// The ring of recent log lines: bounded, oldest overwritten, queried by the
// id a line was logged under (correlation, request or migration id), and fed
// pino's JSON lines with their fields bounded.
import { describe, expect, it } from "vitest";
import { fromPino, LogRing } from "../../../../src/logs/log-ring.js";

const line = (msg: string, more: Record<string, string> = {}) => ({ at: "2026-01-01T00:00:00.000Z", level: "info" as const, service: "s", msg, ...more });

describe("LogRing", () => {
  it("keeps the newest `capacity` lines and answers those about an id, oldest first", () => {
    const ring = new LogRing(3);
    ring.push(line("a", { correlation: "m-1" }));
    ring.push(line("b", { reqId: "m-1" }));
    ring.push(line("c", { migration: "m-2" }));
    ring.push(line("d", { migration: "m-1" }));
    expect(ring.about("m-1", 10)).toEqual({ lines: [line("b", { reqId: "m-1" }), line("d", { migration: "m-1" })], truncated: false });
    expect(ring.about("m-2", 10).lines.map((l) => l.msg)).toEqual(["c"]);
    expect(ring.about("m-3", 10).lines).toEqual([]);
  });

  it("answers the newest `limit` and says it left some out", () => {
    const ring = new LogRing(10);
    for (const m of ["a", "b", "c"]) ring.push(line(m, { correlation: "m-1" }));
    expect(ring.about("m-1", 2)).toEqual({ lines: [line("b", { correlation: "m-1" }), line("c", { correlation: "m-1" })], truncated: true });
  });
});

describe("fromPino", () => {
  it("reads a pino line: time, level name, service, ids and the other fields", () => {
    const text = JSON.stringify({ level: 40, time: Date.UTC(2026, 0, 1), pid: 1, hostname: "h", service: "agent edge1", reqId: "m-4", correlation: "m-4", route: "/v1/x", statusCode: 200, nested: { no: 1 }, msg: "hi" });
    expect(fromPino(text, "fallback")).toEqual({
      at: "2026-01-01T00:00:00.000Z",
      level: "warn",
      service: "agent edge1",
      msg: "hi",
      reqId: "m-4",
      correlation: "m-4",
      fields: { route: "/v1/x", statusCode: 200 },
    });
  });

  it("ignores what is not a pino line, and bounds long values", () => {
    expect(fromPino("not json", "s")).toBeUndefined();
    expect(fromPino(JSON.stringify({ msg: "no time" }), "s")).toBeUndefined();
    const long = fromPino(JSON.stringify({ level: 30, time: 0, msg: "x", detail: "y".repeat(500) }), "s");
    expect(long?.service).toBe("s");
    expect(String(long?.fields?.detail).length).toBeLessThan(210);
  });
});
