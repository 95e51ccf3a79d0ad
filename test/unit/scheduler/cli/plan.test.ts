// `fleximigrate plan` end to end through the real CLI: output formats and
// error paths (exit 2 with a message naming the file and line, never a stack).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "fm-plan-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const plan = (args: string[]) => runCli(["plan", ...args]);

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const nodes = [
  { name: "edgeA", tier: "edge", cpus: 1, netDelayMs: 0 },
  { name: "cloud1", tier: "cloud", cpus: 4, netDelayMs: 50 },
];
const cluster = file("cluster.json", JSON.stringify({ nodes, models: { "m/x": { kind: "power", a: 100, b: -1 } } }));
const line = (id: string, budget: number, extra = {}) =>
  JSON.stringify({ id, device: "d", workload: "m", inputClass: "x", delayBudgetMs: budget, ...extra });
const requests = file(
  "requests.jsonl",
  [line("r1", 1000), line("r2", 500, { priority: 1 }), line("r3", 1000), line("r4", 200), line("r5", 250), line("r6", 60), '{"release":"r5"}'].join("\n") + "\n",
);

describe("fleximigrate plan", () => {
  it("--json prints every decision, moves in order with their new shares, refusals with a reason", async () => {
    const { code, stdout } = await plan(["--cluster", cluster, "--requests", requests, "--json"]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.decisions).toEqual([
      { request: "r1", node: "edgeA", case: 1, cpuShare: 0.1, predictedDelayMs: 1000, migrations: [] },
      { request: "r2", node: "edgeA", case: 1, cpuShare: 0.2, predictedDelayMs: 500, migrations: [] },
      { request: "r3", node: "edgeA", case: 1, cpuShare: 0.1, predictedDelayMs: 1000, migrations: [] },
      { request: "r4", node: "edgeA", case: 1, cpuShare: 0.5, predictedDelayMs: 200, migrations: [] },
      {
        request: "r5",
        node: "edgeA",
        case: 3,
        cpuShare: 0.4,
        predictedDelayMs: 250,
        // r2 has an explicit priority (1): it moves first, then the no-priority ones by budget.
        migrations: [
          { request: "r2", from: "edgeA", to: "cloud1", cpuShare: 0.223 },
          { request: "r1", from: "edgeA", to: "cloud1", cpuShare: 0.106 },
        ],
      },
      {
        request: "r6",
        node: null,
        migrations: [],
        reason: "the 60 ms budget cannot be met on any node (at 0 ms network delay: needs 60 ms but one full core gives 100 ms)",
      },
    ]);
    expect(out.summary).toMatchObject({ policy: "delay-aware", placed: 5, refused: 1, migrations: 2, deadlineMisses: 0 });
  });

  it("prints a decision table and a summary by default", async () => {
    const { code, stdout } = await plan(["--cluster", cluster, "--requests", requests, "--policy", "edge-first"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^REQUEST\s+NODE\s+CASE\s+CPU\s+DELAY_MS\s+MOVES \/ REASON\n/);
    expect(stdout).toMatch(/\nr5\s+cloud1\s+-\s+0\.500\s+200\.0\s*\n/);
    expect(stdout).toContain("edge-first: 5 placed, 1 refused, 0 migrations, deadline misses 0.0%");
  });

  it("--compare prints one row per policy", async () => {
    const { code, stdout } = await plan(["--cluster", cluster, "--requests", requests, "--compare"]);
    expect(code).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^POLICY\s+DEADLINE_MISS\s+LATE_BY_MOVES\s+EDGE_CPU\s+MIGRATIONS\s+MOVES\/ADMIT\s+MOVED_CPU\s+MOVED_MIB\s+REFUSED\s+PLACED\s+DECISIONS\/S$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(["delay-aware", "random", "round-robin", "least-loaded", "edge-first"]);
    const json = JSON.parse((await plan(["--cluster", cluster, "--requests", requests, "--compare", "--json"])).stdout);
    const ll = json.compare.find((r: { policy: string }) => r.policy === "least-loaded");
    // r6 cannot meet its budget anywhere: least-loaded places it best effort and misses.
    expect(ll).toMatchObject({ placed: 6, refused: 0, deadlineMisses: 1, migrations: 0 });
    // r5 was placed after two moves (0.223 + 0.106 cores).
    const da = json.compare.find((r: { policy: string }) => r.policy === "delay-aware");
    expect(da).toMatchObject({ migrations: 2, admittedByMoves: 1, movesPerAdmission: 2, movedCpu: 0.329 });
    expect(lines[1]).toMatch(/^delay-aware\s+\S+\s+0\.0\s+\S+\s+2\s+2\.00\s+0\.329\s+0\.0\s/);
  });

  it("--compare with the cluster's downtime: moves that would make requests late are spared, and late requests counted", async () => {
    const timed = file("downtime.json", JSON.stringify({ nodes, models: { "m/x": { kind: "power", a: 100, b: -1 } }, downtime: { m: { frozenMs: 200, workingSetMiB: 50 } } }));
    // r2 sends 10 requests a second: its 200 ms frozen window past a 0 ms slack makes 2 late.
    const rated = file(
      "rated.jsonl",
      [line("r1", 1000), line("r2", 500, { priority: 1, requestsPerSec: 10 }), line("r3", 1000), line("r4", 200), line("r5", 250), '{"release":"r5"}'].join("\n") + "\n",
    );
    const json = JSON.parse((await plan(["--cluster", timed, "--requests", rated, "--compare", "--json"])).stdout);
    const da = json.compare.find((r: { policy: string }) => r.policy === "delay-aware");
    // Without r2, freeing 0.3 cores for r5 takes r1, r3 and r4 (0.1 + 0.1 + 0.5): three moves, none late.
    expect(da).toMatchObject({ migrations: 3, admittedByMoves: 1, movesPerAdmission: 3, lateByMoves: 0, movedMiB: 150 });
    // With r2 the only request that could free it, it moves, and its late requests count.
    const only = file("only.jsonl", [line("r2", 500, { priority: 1, requestsPerSec: 10 }), line("pin", 140), line("r5", 1000)].join("\n") + "\n");
    const one = JSON.parse((await plan(["--cluster", timed, "--requests", only, "--json"])).stdout);
    expect(one.decisions[2]).toMatchObject({ node: "edgeA", case: 3, migrations: [{ request: "r2", lateRequests: 2, movedMiB: 50 }] });
    expect(one.summary).toMatchObject({ lateByMoves: 2, movedMiB: 50 });
  });

  it("fits models from --samples when the cluster file has none", async () => {
    const bare = file("bare.json", JSON.stringify({ nodes }));
    const rows = ["workload,inputClass,cpuShare,latencyMs"];
    for (const s of [0.25, 0.5, 0.75, 1]) rows.push(`m,x,${s},${100 / s}`);
    const samples = file("samples.csv", rows.join("\n") + "\n");
    const { code, stdout, stderr } = await plan(["--cluster", bare, "--requests", requests, "--samples", samples, "--json"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(JSON.parse(stdout).decisions[0]).toMatchObject({ request: "r1", node: "edgeA", case: 1, cpuShare: 0.1 });
    const none = await plan(["--cluster", bare, "--requests", requests]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no models");
  });

  it.each([
    ["a bad JSON line", () => ["--requests", file("bad.jsonl", `${line("r1", 500)}\n{"id": oops}\n`)], /^fleximigrate plan: \S+bad\.jsonl:2: not valid JSON/],
    ["an unknown model class", () => ["--requests", file("unk.jsonl", `${line("r1", 500)}\n${JSON.stringify({ id: "r2", device: "d", workload: "m", inputClass: "huge", delayBudgetMs: 9 })}\n`)], /unk\.jsonl:2: unknown model class 'm\/huge' \(known: m\/x\)/],
    ["bad samples", () => ["--requests", requests, "--samples", file("bad.csv", "workload,inputClass,cpuShare,latencyMs\nm,x,abc,5\n")], /bad\.csv:2:3: /],
    ["a missing requests file", () => ["--requests", join(dir, "nope.jsonl")], /nope\.jsonl: no such file/],
    ["a missing cluster file", () => ["--requests", requests, "--cluster", join(dir, "nope.json")], /nope\.json: no such file/],
    ["an unknown policy", () => ["--requests", requests, "--policy", "greedy"], /unknown policy 'greedy' \(known: delay-aware, random, round-robin, least-loaded, edge-first\)/],
  ])("exits 2 on %s", async (_what, args, message) => {
    const a = args();
    const withCluster = a.includes("--cluster") ? a : ["--cluster", cluster, ...a];
    const { code, stdout, stderr } = await plan(withCluster);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("requires --cluster and --requests", async () => {
    const { code, stderr } = await plan(["--requests", requests]);
    expect(code).toBe(2);
    expect(stderr).toContain("--cluster is required");
  });
});
