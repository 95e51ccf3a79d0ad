// `fleximigrate policy check|explain` and `scheduler --policies`, run as a user would.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI_PATH, runCli } from "../../../helpers/cli.js";
import { spawnChild } from "../../../helpers/processes.js";

const EXAMPLE = new URL("../../../../docs/examples/policies.yaml", import.meta.url).pathname;
const dir = mkdtempSync(path.join(tmpdir(), "fmpol-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BAD = path.join(dir, "bad.yaml");
writeFileSync(
  BAD,
  `policies:
  - policy_name: evening
    CONTEXT: [time_of_day]
    CONDITIONS: time_of_day >= 18 and service_type == "critical"
    ACTIONS: [allow_migration]
    PRIORITY: 1
  - policy_name: broken
    CONTEXT: [time_of_day]
    CONDITIONS: (time_of_day > 3
    ACTIONS: [allow_migration]
    PRIORITY: 2
`,
);

describe("fleximigrate policy check", () => {
  it("passes the shipped example and lists its policies, highest priority first", async () => {
    const r = await runCli(["policy", "check", EXAMPLE]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")).toEqual([
      `${EXAMPLE}: valid, 3 policies (tried highest PRIORITY first), default allow`,
      "  10  protect_payments: deny [deny_migration, notify]",
      "  5  large_over_congested: allow [require_strategy, set_priority]",
      "  2  adaptive_load_balancing: allow [allow_migration, set_priority, trigger_load_balancer_reconfiguration]",
      "",
    ]);
  });

  it("prints every problem with policy, line and column, and exits 1", async () => {
    const r = await runCli(["policy", "check", BAD]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`policies file ${BAD} is not valid (2 problems):`);
    expect(r.stderr).toContain(`${BAD}:4:39: policy evening: CONDITIONS: undeclared name 'service_type' (add it to CONTEXT)`);
    expect(r.stderr).toContain(`${BAD}:9:33: policy broken: CONDITIONS: expected ')' to close the '(' at column 1`);
    expect(r.stdout).toBe("");
  });

  it("--json: ok with the policies, or the problems (exit 1)", async () => {
    const good = await runCli(["policy", "check", EXAMPLE, "--json"]);
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({ ok: true, default: "allow", policies: [{ name: "protect_payments", priority: 10 }, {}, {}] });
    const bad = await runCli(["policy", "check", BAD, "--json"]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, problems: [{ line: 4, col: 39, policy: "evening" }, { line: 9, col: 33, policy: "broken" }] });
  });

  it("a missing file, a usage mistake: a clear error and exit 2", async () => {
    const missing = await runCli(["policy", "check", path.join(dir, "nope.yaml")]);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringMatching(/cannot read policies file .*nope\.yaml: ENOENT/) });
    const unknown = await runCli(["policy", "lint", EXAMPLE]);
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown action 'lint': expected 'check' or 'explain'/) });
    const noFile = await runCli(["policy", "check"]);
    expect(noFile).toMatchObject({ code: 2, stderr: expect.stringMatching(/missing argument/) });
  });

  it("--help documents both forms and the context variables", async () => {
    const r = await runCli(["policy", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: fleximigrate policy check FILE \[options\]\n\s+fleximigrate policy explain FILE --context JSON/);
    expect(r.stdout).toContain("network_congestion_prob");
  });
});

describe("fleximigrate policy explain", () => {
  const context = JSON.stringify({ source_cpu_utilization: 85, destination_cpu_utilization: 30, service_type: "web", labels: [] });

  it("shows the deciding policy and each sub-condition's value", async () => {
    const r = await runCli(["policy", "explain", EXAMPLE, "--context", context]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("decided by policy adaptive_load_balancing: allow");
    expect(lines[1]).toMatch(/^policy adaptive_load_balancing \(priority 2\) allows the move: \(source_cpu_utilization > 80 and destination_cpu_utilization < 50\) holds/);
    expect(lines[2]).toBe("effects: priority high, gradual redirect, max_concurrent_migrations 5, migration_duration 300");
    expect(lines).toContain("policy protect_payments (priority 10): false");
    expect(lines).toContain('    false  service_type in ["payments", "billing"]');
    expect(lines).toContain("    true   (source_cpu_utilization > 80 and destination_cpu_utilization < 50)");
    expect(lines).toContain("      false  time_of_day >= 18   (unknown: time_of_day)");
  });

  it("--json: the decision, the effects and the trace", async () => {
    const ctx = JSON.stringify({ service_type: "payments", destination_cpu_utilization: 90, labels: [] });
    const r = await runCli(["policy", "explain", EXAMPLE, "--context", ctx, "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ decidedBy: "protect_payments", allow: false, effects: { notify: ["payment move refused: destination busy or task pinned"] } });
    expect(out.trace).toHaveLength(1);
    expect(out.trace[0].result.children.map((c: { value: boolean }) => c.value)).toEqual([true, true]);
  });

  it("refuses a bad context with the reason (exit 2), and needs --context", async () => {
    expect(await runCli(["policy", "explain", EXAMPLE, "--context", "{oops"])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--context is not JSON/) });
    expect(await runCli(["policy", "explain", EXAMPLE, "--context", '{"cpu": 3}'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown context variable 'cpu'/) });
    expect(await runCli(["policy", "explain", EXAMPLE, "--context", '{"time_of_day": "late"}'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/time_of_day must be a number/) });
    expect(await runCli(["policy", "explain", EXAMPLE, "--context", '{"__proto__": {"x": 1}}'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown context variable '__proto__'/) });
    expect(await runCli(["policy", "explain", EXAMPLE])).toMatchObject({ code: 2, stderr: expect.stringMatching(/needs --context JSON/) });
    expect(await runCli(["policy", "explain", BAD, "--context", "{}"])).toMatchObject({ code: 1, stderr: expect.stringMatching(/not valid \(2 problems\)/) });
  });
});

describe("fleximigrate scheduler --policies", () => {
  it("refuses to start with a bad policies file: exit 2, every problem printed, nothing listening", async () => {
    const child = spawnChild(process.execPath, [CLI_PATH, "scheduler", "--policies", BAD, "--port", "0", "--state-dir", path.join(dir, "state-bad")]);
    const code = await child.exited;
    expect(code).toBe(2);
    expect(child.stderr()).toContain(`${BAD}:4:39: policy evening: CONDITIONS: undeclared name 'service_type'`);
    expect(child.stderr()).toContain(`${BAD}:9:33: policy broken:`);
    expect(child.stdout()).not.toMatch(/listening/);
  });

  it("starts with a valid one and says so", async () => {
    const child = spawnChild(process.execPath, [CLI_PATH, "scheduler", "--policies", EXAMPLE, "--port", "0", "--state-dir", path.join(dir, "state-ok"), "--insecure"]);
    try {
      await child.line((l) => l.startsWith("scheduler listening on"), 20_000);
      await child.line((l) => l.includes("migration policies"), 5_000);
      expect(child.stdout()).toContain(`placement policy delay-aware, migration policies ${EXAMPLE} (3, default allow)`);
    } finally {
      await child.stop();
    }
  });

  it("--help tells the placement --policy from the migration --policies", async () => {
    const r = await runCli(["scheduler", "--help"]);
    expect(r.stdout).toMatch(/--policy NAME\s+PLACEMENT policy/);
    expect(r.stdout).toMatch(/--policies FILE\s+MIGRATION policies/);
  });
});
