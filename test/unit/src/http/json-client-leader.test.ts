// A replicated service behind one JsonClient: given several base URLs, the
// client follows a standby's 503 NOT_LEADER to the leader it names, skips a
// member that refuses the connection (safe for POST: it never arrived), waits
// in short steps while no leader is known, for a bounded time, and keeps the
// leader it found for the next call. Not a NOT_LEADER 503 is left as before.
import { describe, expect, it } from "vitest";
import { ServiceUnreachable } from "../../../../src/http/client-errors.js";
import { baseUrlsOf, type Fetch, JsonClient } from "../../../../src/http/json-client.js";

const A = "http://127.0.0.1:7701";
const B = "http://127.0.0.1:7702";
const C = "http://127.0.0.1:7703";

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const notLeader = (leader: string | null) => json(503, { statusCode: 503, error: "Service Unavailable", code: "NOT_LEADER", message: "standby", leader });
const refused = () => new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
const reset = () => new TypeError("fetch failed", { cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }) });

/** Each member answers from its own script (the last entry repeats). */
function members(scripts: Record<string, Array<Response | Error>>) {
  const seen: string[] = [];
  const counts = new Map<string, number>();
  const fetch: Fetch = async (url) => {
    const origin = new URL(url).origin;
    seen.push(origin);
    const n = counts.get(origin) ?? 0;
    counts.set(origin, n + 1);
    const script = scripts[origin] ?? [refused()];
    const next = script[Math.min(n, script.length - 1)]!;
    if (next instanceof Error) throw next;
    return next.clone();
  };
  return { fetch, seen };
}

function client(urls: string | string[], fetch: Fetch, leaderWaitMs = 15_000) {
  const waits: number[] = [];
  const c = new JsonClient(urls, { service: "scheduler", fetch, leaderWaitMs, random: () => 0.5, sleep: async (ms) => void waits.push(ms) });
  return { c, waits };
}

describe("JsonClient over replicas", () => {
  it("reads a comma list of base URLs, each once, without trailing slashes", () => {
    expect(baseUrlsOf(`${A}/, ${B},${A}`)).toEqual([A, B]);
    expect(() => baseUrlsOf(" , ")).toThrow("no base URL");
  });

  it("follows a standby's hint to the leader, for a POST too, and keeps the leader for the next call", async () => {
    const { fetch, seen } = members({ [A]: [notLeader(B)], [B]: [json(201, { placed: true })] });
    const { c, waits } = client([A, B], fetch);
    expect(await c.post("/v1/tasks", { id: "t" })).toEqual({ placed: true });
    expect(await c.get("/v1/placements")).toEqual({ placed: true });
    expect(seen).toEqual([A, B, B]);
    expect(c.baseUrl).toBe(B);
    expect(waits).toEqual([]);
  });

  it("follows a hint to a leader outside the list", async () => {
    const { fetch, seen } = members({ [A]: [notLeader(C)], [C]: [json(200, { ok: 1 })] });
    const { c } = client(A, fetch);
    expect(await c.get("/x")).toEqual({ ok: 1 });
    expect(seen).toEqual([A, C]);
  });

  it("skips a member that refuses the connection, even for a POST", async () => {
    const { fetch, seen } = members({ [A]: [refused()], [B]: [json(201, { ok: 1 })] });
    const { c } = client([A, B], fetch);
    expect(await c.post("/v1/tasks", {})).toEqual({ ok: 1 });
    expect(seen).toEqual([A, B]);
  });

  it("does not send a POST again after a reset (it may have been carried out)", async () => {
    const { fetch, seen } = members({ [A]: [reset()], [B]: [json(201, { ok: 1 })] });
    const { c } = client([A, B], fetch);
    await expect(c.post("/v1/tasks", {})).rejects.toBeInstanceOf(ServiceUnreachable);
    expect(seen).toEqual([A]);
  });

  it("waits in short steps while no leader is known (a dead leader's hint, then a takeover)", async () => {
    // B is a standby naming the dead A until it leads itself on its third answer.
    const { fetch, seen } = members({ [A]: [refused()], [B]: [notLeader(A), notLeader(A), json(201, { ok: 1 })] });
    const { c, waits } = client([A, B], fetch);
    expect(await c.post("/v1/tasks", {})).toEqual({ ok: 1 });
    // A round asks each member once (the one last asked first), then waits.
    expect(seen).toEqual([A, B, B, A, A, B]);
    expect(waits.length).toBe(2);
    for (const w of waits) expect(w).toBeLessThanOrEqual(1_000);
  });

  it("gives up after leaderWaitMs with the last NOT_LEADER answer; hints never loop without a wait", async () => {
    const { fetch, seen } = members({ [A]: [notLeader(B)], [B]: [notLeader(A)] });
    const { c, waits } = client([A, B], fetch, 2_000);
    const answer = await c.exchange("POST", "/v1/tasks", { body: {} });
    expect(answer).toMatchObject({ ok: false, status: 503 });
    const waited = waits.reduce((a, b) => a + b, 0);
    expect(waited).toBeGreaterThanOrEqual(2_000);
    expect(waited).toBeLessThan(4_000);
    // Each round asks each member once, then waits.
    expect(seen.length).toBe(2 * (waits.length + 1));
  });

  it("with retry false follows a hint but does not wait for an election", async () => {
    const { fetch, seen } = members({ [A]: [notLeader(null)], [B]: [notLeader(null)] });
    const { c, waits } = client([A, B], fetch);
    const answer = await c.exchange("PUT", "/v1/nodes/e/report", { body: {}, retry: false });
    expect(answer).toMatchObject({ ok: false, status: 503 });
    expect(seen).toEqual([A, B]);
    expect(waits).toEqual([]);
  });

  it("leaves any other 503 to the ordinary retry rules", async () => {
    const { fetch, seen } = members({ [A]: [json(503, { code: "UNAVAILABLE", message: "store down" })], [B]: [json(200, {})] });
    const { c } = client([A, B], fetch);
    const answer = await c.exchange("POST", "/v1/tasks", { body: {} });
    expect(answer).toMatchObject({ ok: false, status: 503 });
    expect(seen).toEqual([A]);
  });
});
