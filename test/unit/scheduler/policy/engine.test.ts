import { describe, expect, it } from "vitest";
import { decide } from "../../../../scheduler/policy/engine.js";
import { loadPolicies } from "../../../../scheduler/policy/loader.js";

const FILE = `
default: allow
policies:
  - policy_name: low_first_in_file
    CONTEXT: [time_of_day]
    CONDITIONS: time_of_day >= 0
    ACTIONS: [allow_migration, set_priority("low")]
    PRIORITY: 1
  - policy_name: night_deny
    CONTEXT: [time_of_day]
    CONDITIONS: time_of_day < 6
    ACTIONS: [deny_migration, notify("no moves at night")]
    PRIORITY: 10
  - policy_name: tie_a
    CONTEXT: [service_type]
    CONDITIONS: service_type == "web"
    ACTIONS: [set_priority("high")]
    PRIORITY: 5
  - policy_name: tie_b
    CONTEXT: [service_type]
    CONDITIONS: service_type == "web"
    ACTIONS: [deny_migration]
    PRIORITY: 5
`;

describe("first match by priority", () => {
  const set = loadPolicies(FILE, "p.yaml");

  it("sorts highest PRIORITY first, file order on ties", () => {
    expect(set.policies.map((p) => p.name)).toEqual(["night_deny", "tie_a", "tie_b", "low_first_in_file"]);
  });

  it("the first policy whose conditions hold decides, and says why", () => {
    const night = decide(set, new Map<string, number | string>([["time_of_day", 3], ["service_type", "web"]]));
    expect(night.policy).toBe("night_deny");
    expect(night.effects).toMatchObject({ allow: false, notify: ["no moves at night"] });
    expect(night.reason).toBe("policy night_deny (priority 10) denies the move: time_of_day < 6 holds (time_of_day=3)");
    expect(night.trace.map((t) => t.policy)).toEqual(["night_deny"]);

    const day = decide(set, new Map<string, number | string>([["time_of_day", 12], ["service_type", "web"]]));
    expect(day.policy).toBe("tie_a");
    expect(day.effects).toMatchObject({ allow: true, priority: "high" });
    expect(day.trace.map((t) => [t.policy, t.result.value])).toEqual([
      ["night_deny", false],
      ["tie_a", true],
    ]);

    const other = decide(set, new Map<string, number | string>([["time_of_day", 12], ["service_type", "db"]]));
    expect(other.policy).toBe("low_first_in_file");
    expect(other.effects.priority).toBe("low");
  });

  it("each policy sees only the names it declared", () => {
    const d = decide(set, new Map<string, number | string>([["time_of_day", 12]]));
    expect(d.reason).toMatch(/\(time_of_day=12\)$/);
  });

  it("none matching: the configured default decides (allow unless the file says deny)", () => {
    const one = `- policy_name: p\n  CONTEXT: [time_of_day]\n  CONDITIONS: time_of_day > 30\n  ACTIONS: [deny_migration]\n  PRIORITY: 1\n`;
    const allow = decide(loadPolicies(one, "a.yaml"), new Map([["time_of_day", 1]]));
    expect(allow).toMatchObject({ policy: null, effects: { allow: true, priority: "normal" }, reason: "no policy matched (1 tried): the default allows the move" });
    const denyFile = `default: deny\npolicies:\n${one.replace(/^/gm, "  ")}`;
    const deny = decide(loadPolicies(denyFile, "d.yaml"), new Map([["time_of_day", 1]]));
    expect(deny).toMatchObject({ policy: null, effects: { allow: false }, reason: "no policy matched (1 tried): the default denies the move" });
  });
});
