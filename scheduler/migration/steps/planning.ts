// PLANNING: may it move, does it still fit, and how. Data protection checks
// the destination against the task's regulation, the policy hook has its
// say, the destination's capacity is checked again, and the strategy comes
// from both agents' capabilities. Nothing is touched yet.
import type { AgentInfo } from "../../../src/api-types/agent.js";
import { type Step, StepFailure } from "../context.js";
import { viewOf } from "../record.js";
import { chooseStrategy, tcpProblem } from "../strategy.js";

export const planning: Step = async (m, env) => {
  const refused = env.admission?.refuse(viewOf(m));
  if (refused) throw new StepFailure("DataProtection", `destination ${m.to} not allowed for task ${m.task.id}: ${refused}`);
  if (m.task.regulation) env.note(m, "INFO", "DataProtection", `destination ${m.to} satisfies the task's regulation`);

  const verdict = m.faults?.policyDenies ? { allow: false as const, reason: `${m.faults.policyDenies} (injected fault)` } : await env.policy.check(viewOf(m));
  if (!verdict.allow) throw new StepFailure("PolicyEnforcer", `policy ${env.policy.name} denies the move: ${verdict.reason}`);
  env.note(m, "INFO", "PolicyEnforcer", `policy ${env.policy.name} allows the move`);

  const problem = env.placement.recheck(viewOf(m));
  if (problem) throw new StepFailure("ResourceAllocator", `destination ${m.to} cannot hold the task: ${problem}`);
  env.note(m, "INFO", "ResourceAllocator", `destination ${m.to} can hold ${m.cpuShare} cores`);

  const [src, dst] = await Promise.all([infoOf(env.source(m).info(), m.from), infoOf(env.destination(m).info(), m.to)]);
  if (m.service) {
    const problem = tcpProblem({ node: m.from, capabilities: src.capabilities }, { node: m.to, capabilities: dst.capabilities });
    if (problem) throw new StepFailure("MigrationManager", problem);
  }
  const choice = chooseStrategy({ node: m.from, capabilities: src.capabilities }, { node: m.to, capabilities: dst.capabilities }, m.requestedStrategy);
  m.reason = choice.reason;
  if (choice.strategy === null) throw new StepFailure("MigrationManager", choice.reason);
  m.strategy = choice.strategy;
  return { next: "PREPARATION", component: "MigrationManager", message: `Strategy ${choice.strategy}: ${choice.reason}` };
};

async function infoOf(p: Promise<AgentInfo>, node: string): Promise<AgentInfo> {
  try {
    return await p;
  } catch (err) {
    throw new StepFailure("StateSynchronizer", `agent ${node} unreachable: ${(err as Error).message}`);
  }
}
