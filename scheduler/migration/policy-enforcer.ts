// The manager's policy hook over a policies file: the context of the move
// from live data, then the first matching policy (scheduler/policy/engine.ts).
// The verdict names the deciding policy and why; the queue preview gives the
// move's priority and concurrency cap.
import type { MoveRecord } from "../../src/api-types/scheduler.js";
import { decide, type Decision, type PolicySet } from "../policy/engine.js";
import type { MigrationPolicyHook } from "./ports.js";
import { buildPolicyContext, type PolicyContextDeps } from "./policy-context.js";

export function policyEnforcer(set: PolicySet, deps: PolicyContextDeps, name = "policies"): MigrationPolicyHook {
  const needed = new Set(set.policies.flatMap((p) => p.context));
  const decision = async (move: MoveRecord, quick = false): Promise<Decision> => decide(set, await buildPolicyContext(move, needed, deps, quick));
  return {
    name,
    async check(move) {
      const d = await decision(move);
      const base = { decidedBy: d.policy, effects: d.effects };
      return d.effects.allow ? { allow: true, reason: d.reason, ...base } : { allow: false, reason: d.reason, ...base };
    },
    async queuePlace(move) {
      // The preview runs while the request waits for its answer: no waiting on the controller's second poll.
      const d = await decision(move, true);
      const cap = d.effects.constraints.max_concurrent_migrations;
      return { priority: d.effects.priority, decidedBy: d.policy, ...(cap === undefined ? {} : { maxConcurrent: cap }) };
    },
  };
}
