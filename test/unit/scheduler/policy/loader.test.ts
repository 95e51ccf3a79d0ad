import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PolicyFileError } from "../../../../scheduler/policy/errors.js";
import { loadPolicies } from "../../../../scheduler/policy/loader.js";

const EXAMPLE = `policy_name: adaptive_load_balancing
CONTEXT: [source_cpu_utilization, destination_cpu_utilization, time_of_day, network_congestion_prob, service_type]
CONDITIONS: (source_cpu_utilization > 80 and destination_cpu_utilization < 50) or (time_of_day >= 18 and time_of_day <= 22 and service_type == "critical") or (network_congestion_prob < 0.2)
ACTIONS: [allow_migration, set_priority("high"), trigger_load_balancer_reconfiguration]
CONSTRAINTS: {max_concurrent_migrations: 5, migration_duration: 300}
PRIORITY: 2
`;

function problems(text: string, file = "p.yaml") {
  try {
    loadPolicies(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyFileError);
    return (err as PolicyFileError).problems;
  }
  throw new Error("loaded");
}

const policy = (over: Record<string, string> = {}) => {
  const parts: Record<string, string> = { policy_name: "p1", CONTEXT: "[time_of_day]", CONDITIONS: "time_of_day > 1", ACTIONS: "[allow_migration]", PRIORITY: "1", ...over };
  return `${Object.entries(parts)
    .filter(([, v]) => v !== "")
    .map(([k, v], i) => `${i === 0 ? "- " : "  "}${k}: ${v}`)
    .join("\n")}\n`;
};

describe("policies file loader", () => {
  it("reads the issue's example exactly as its users write it (one policy, YAML)", () => {
    const set = loadPolicies(EXAMPLE, "example.yaml");
    expect(set.defaultAction).toBe("allow");
    expect(set.policies).toHaveLength(1);
    const p = set.policies[0]!;
    expect(p).toMatchObject({ name: "adaptive_load_balancing", priority: 2, at: { line: 3, col: 13 } });
    expect(p.context).toHaveLength(5);
    expect(p.actions).toEqual([{ kind: "allow_migration" }, { kind: "set_priority", priority: "high" }, { kind: "trigger_load_balancer_reconfiguration" }]);
    expect(p.effects).toEqual({ allow: true, priority: "high", gradualRedirect: true, notify: [], constraints: { max_concurrent_migrations: 5, migration_duration: 300 } });
  });

  it("reads JSON: {default, policies: [...]}", () => {
    const json = JSON.stringify({
      default: "deny",
      policies: [
        { policy_name: "a", CONTEXT: ["service_type"], CONDITIONS: 'service_type in ["x", "y"]', ACTIONS: ['require_strategy("precopy")', 'notify("moving \\"x\\"")'], CONSTRAINTS: { max_bandwidth_mbps: 100 }, PRIORITY: 3 },
      ],
    }, null, 2);
    const set = loadPolicies(json, "p.json");
    expect(set.defaultAction).toBe("deny");
    expect(set.policies[0]!.effects).toMatchObject({ requireStrategy: "precopy", notify: ['moving "x"'], constraints: { max_bandwidth_mbps: 100 } });
  });

  it("points a condition's error at the file's line and column, with the policy name", () => {
    expect(problems(policy({ CONDITIONS: "time_of_day > 1 and cpu > 2" }))).toEqual([
      { file: "p.yaml", line: 3, col: 35, policy: "p1", message: expect.stringMatching(/CONDITIONS: undeclared name 'cpu'/) },
    ]);
    // Quoted: the quote is counted.
    expect(problems(policy({ CONDITIONS: '"time_of_day >> 1"' }))[0]).toMatchObject({ line: 3, col: 29, message: expect.stringMatching(/expected a number/) });
    // JSON with escapes before the error: columns count the source's characters.
    const json = JSON.stringify({ policies: [{ policy_name: "j", CONTEXT: ["service_type"], CONDITIONS: 'service_type == "a\\tb" and cpu', ACTIONS: ["allow_migration"], PRIORITY: 1 }] });
    expect(problems(json, "p.json")[0]).toMatchObject({ line: 1, col: json.indexOf("cpu") + 1, policy: "j" });
    // Single quotes double themselves in YAML.
    expect(problems(policy({ CONTEXT: "[service_type]", CONDITIONS: "'service_type == ''x'' and cpu'" }))[0]).toMatchObject({ line: 3, col: 42 });
    // A literal block: the line inside the block, past its indentation.
    const block = policy({ CONDITIONS: "|\n    time_of_day > 1\n      and service_type == 'x'" });
    expect(problems(block)[0]).toMatchObject({ line: 5, col: 11, message: expect.stringMatching(/undeclared name 'service_type'/) });
  });

  it("points an action's error at the action", () => {
    expect(problems(policy({ ACTIONS: '[allow_migration, set_priority("urgent")]' }))[0]).toMatchObject({
      line: 4,
      col: 43,
      message: 'ACTIONS: set_priority takes low, normal, high, not "urgent"',
    });
    expect(problems(policy({ ACTIONS: "[launch_missiles]" }))[0]!.message).toMatch(/unknown action 'launch_missiles'/);
    expect(problems(policy({ ACTIONS: "[allow_migration, deny_migration]" }))[0]!.message).toMatch(/allow_migration and deny_migration together/);
    expect(problems(policy({ ACTIONS: '[require_strategy("teleport")]' }))[0]!.message).toMatch(/require_strategy takes postcopy, precopy, stopcopy/);
    expect(problems(policy({ ACTIONS: "[set_priority(high)]" }))[0]!.message).toMatch(/quote it, set_priority\("high"\)/);
    expect(problems(policy({ ACTIONS: "[]" }))[0]!.message).toMatch(/non-empty list/);
  });

  it("reports every structural problem with its position", () => {
    const bad = problems(
      `- policy_name: a\n  CONTEXT: [time_of_day, cpu, time_of_day]\n  CONDITIONS: time_of_day > 1\n  ACTIONS: [allow_migration]\n  CONSTRAINTS: {max_concurrent_migrations: 0, burst: 3, migration_duration: "5"}\n  PRIORITY: 1.5\n  EXTRA: 1\n- policy_name: a\n  CONTEXT: []\n  CONDITIONS: true\n  ACTIONS: [allow_migration]\n  PRIORITY: 0\n- {policy_name: b}\n`,
    );
    const lines = bad.map((p) => `${p.line}:${p.col} ${p.policy} ${p.message}`);
    expect(lines).toEqual([
      expect.stringMatching(/^7:3 a unknown part 'EXTRA'/),
      expect.stringMatching(/^2:26 a unknown context variable "cpu"/),
      expect.stringMatching(/^2:31 a time_of_day declared twice/),
      expect.stringMatching(/^5:44 a max_concurrent_migrations must be an integer from 1/),
      expect.stringMatching(/^5:47 a unknown constraint 'burst'/),
      expect.stringMatching(/^5:77 a migration_duration must be a number/),
      expect.stringMatching(/^6:13 a PRIORITY must be an integer/),
      expect.stringMatching(/^8:3 a a policy of this name comes earlier/),
      expect.stringMatching(/^13:3 b missing CONTEXT/),
      expect.stringMatching(/^13:3 b missing CONDITIONS/),
      expect.stringMatching(/^13:3 b missing ACTIONS/),
      expect.stringMatching(/^13:3 b missing PRIORITY/),
    ]);
  });

  it("refuses files that are not YAML/JSON, or not a list of policies", () => {
    expect(problems("- policy_name: [a\n  x: y: z\n")[0]).toMatchObject({ policy: null, message: expect.stringMatching(/^not valid YAML\/JSON/) });
    expect(problems('{"policies": [}', "p.json")[0]).toMatchObject({ line: 1, message: expect.stringMatching(/^not valid YAML\/JSON/) });
    expect(problems("42")[0]!.message).toMatch(/expected a list of policies/);
    expect(problems("policies: {}\n")[0]!.message).toMatch(/'policies' must be a list/);
    expect(problems("policies: []\n")[0]!.message).toMatch(/no policies/);
    expect(problems("default: maybe\npolicies: []\n")[0]!.message).toMatch(/default must be allow or deny/);
    expect(problems("a: 1\na: 2\n")[0]!.message).toMatch(/not valid YAML\/JSON.*unique/i);
    expect(problems(`- policy_name: "bad name!"\n  CONTEXT: []\n  CONDITIONS: "true"\n  ACTIONS: [allow_migration]\n  PRIORITY: 1\n`)[0]!.message).toMatch(/policy_name must be a name/);
  });

  it("ships an example file that passes", () => {
    const text = readFileSync(new URL("../../../../docs/examples/policies.yaml", import.meta.url), "utf8");
    const set = loadPolicies(text, "docs/examples/policies.yaml");
    expect(set.policies.map((p) => p.name)).toEqual(["protect_payments", "large_over_congested", "adaptive_load_balancing"]);
  });
});
