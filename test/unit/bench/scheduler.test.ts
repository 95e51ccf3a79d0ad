// The scheduler benchmark and its seeded trace generator: same seed, same
// trace; the bench prints both policies with their figures (values not timed here).
import { afterEach, describe, expect, it, vi } from "vitest";
import { benches } from "../../../bench/benches.js";
import { dispatch } from "../../../src/cli/dispatch.js";
import { syntheticNodes, syntheticTrace, traceJsonl } from "../../../scheduler/planner/trace-generator.js";
import { parseRequestsJsonl } from "../../../scheduler/planner/requests-file.js";
import { captureStdout } from "../../helpers/stdout.js";

afterEach(() => vi.restoreAllMocks());

/** The scheduler benchmark as `npm run bench -- scheduler ARGS` runs it. */
const run = (args: string[]) => dispatch(benches, ["scheduler", ...args], "npm run bench --");

describe("trace generator", () => {
  it("is seeded, releases only placed ids, and round-trips through REQUESTS.jsonl", () => {
    const a = syntheticTrace({ requests: 500, meanConcurrent: 50, seed: 9 });
    expect(syntheticTrace({ requests: 500, meanConcurrent: 50, seed: 9 })).toEqual(a);
    expect(syntheticTrace({ requests: 500, meanConcurrent: 50, seed: 10 })).not.toEqual(a);
    const placed = new Set<string>();
    for (const ev of a) {
      if (ev.kind === "place") placed.add(ev.request.id);
      else expect(placed.has(ev.id)).toBe(true);
    }
    expect(placed.size).toBe(500);
    const back = parseRequestsJsonl(traceJsonl(a), "t.jsonl");
    expect(back.map((e) => (e.kind === "place" ? e.request : e.id))).toEqual(a.map((e) => (e.kind === "place" ? e.request : e.id)));
  });

  it("builds clusters of the asked size with unique names", () => {
    const nodes = syntheticNodes({ edge: 900, cloud: 100 });
    expect(nodes.filter((n) => n.tier === "edge")).toHaveLength(900);
    expect(nodes.filter((n) => n.tier === "cloud")).toHaveLength(100);
    expect(new Set(nodes.map((n) => n.name)).size).toBe(1000);
  });
});

describe("npm run bench -- scheduler", () => {
  it("--json prints delay-aware (without and with the downtime model, each beside the previous scan planner) and least-loaded rows", async () => {
    const { code, out } = await captureStdout(() => run(["--json", "--requests", "400", "--edge", "9", "--cloud", "1", "--concurrent", "150"]));
    expect(code).toBe(0);
    const rows = JSON.parse(out);
    expect(rows.map((r: { policy: string }) => r.policy)).toEqual([
      "delay-aware",
      "delay-aware:scan",
      "delay-aware+downtime",
      "delay-aware+downtime:scan",
      "least-loaded",
    ]);
    for (const r of rows) {
      expect(Object.keys(r)).toEqual(
        expect.arrayContaining(["decisionsPerSec", "p50Ms", "p99Ms", "peakRssMiB", "movesPerAdmission", "movedCpu", "movedMiB", "lateByMoves"]),
      );
      expect(r.decisions).toBe(400);
      expect(r.p99Ms).toBeGreaterThanOrEqual(r.p50Ms);
      expect(r.movesPerAdmission).toBeCloseTo(r.cases.case3 ? r.migrations / r.cases.case3 : 0, 3);
    }
    // This small, busy trace does reach rule 3.
    expect(rows[0].cases.case3).toBeGreaterThan(0);
    expect(rows[0].movedCpu).toBeGreaterThan(0);
    // Its moves carry memory and make requests late; sparing late-making requests where another way frees a node makes fewer late.
    expect(rows[0].movedMiB).toBeGreaterThan(0);
    expect(rows[0].lateByMoves).toBeGreaterThan(0);
    expect(rows[2].lateByMoves).toBeLessThan(rows[0].lateByMoves);
    // The previous scan planner beside each delay-aware row decides exactly alike (same digest of every decision).
    const { digest: _d, ...figures } = rows[0];
    expect(rows[1].digest).toBe(rows[0].digest);
    expect(rows[3].digest).toBe(rows[2].digest);
    expect(rows[1]).toMatchObject({ cases: figures.cases, migrations: figures.migrations, movedCpu: figures.movedCpu });
    expect(rows[2].digest).not.toBe(rows[0].digest);
    // least-loaded never moves.
    expect(rows[4]).toMatchObject({ migrations: 0, movedMiB: 0, lateByMoves: 0 });
  });

  it("rejects a bad flag with exit 2", async () => {
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    expect(await run(["--requests", "x"])).toBe(2);
  });
});
