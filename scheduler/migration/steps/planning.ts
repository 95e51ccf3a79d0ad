// PLANNING: may it move, does it still fit, and how. Data protection checks
// the destination against the task's regulation; then the migration policies
// decide (the first matching one, highest PRIORITY first) and their verdict
// is kept on the record: its concurrency cap, duration cap, bandwidth cap,
// required strategy and redirect strategy apply from here on; its notify
// messages go out as events. Then the destination's capacity is checked
// again, a workload with its own network needs both agents able to dump TCP
// connections, and the strategy comes from both agents' capabilities (the
// one a policy requires, or failure saying why). Nothing is touched yet.
import type { AgentInfo } from "../../../src/api-types/agent.js";
import type { MovePolicyView } from "../../../src/api-types/scheduler.js";
import { type Step, type StepEnv, StepFailure } from "../context.js";
import type { PolicyVerdict } from "../ports.js";
import { type ManagedMove, viewOf } from "../record.js";
import { chooseStrategy, tcpProblem } from "../strategy.js";

export const planning: Step = async (m, env) => {
  const refused = env.admission?.refuse(viewOf(m));
  if (refused) throw new StepFailure("DataProtection", `destination ${m.to} not allowed for task ${m.task.id}: ${refused}`);
  if (m.task.regulation) env.note(m, "INFO", "DataProtection", `destination ${m.to} satisfies the task's regulation`);

  await decide(m, env);

  const problem = env.placement.recheck(viewOf(m));
  if (problem) throw new StepFailure("ResourceAllocator", `destination ${m.to} cannot hold the task: ${problem}`);
  env.note(m, "INFO", "ResourceAllocator", `destination ${m.to} can hold ${m.cpuShare} cores`);

  const required = m.policy?.requireStrategy;
  const asked = m.requestedStrategy && m.requestedStrategy !== "auto" ? m.requestedStrategy : undefined;
  if (required && asked && asked !== required) {
    throw new StepFailure("PolicyEnforcer", `policy ${m.policy!.decidedBy} requires strategy ${required}, the move asked for ${asked}`);
  }
  const [src, dst] = await Promise.all([infoOf(env.source(m).info(), m.from), infoOf(env.destination(m).info(), m.to)]);
  if (m.service) {
    const problem = tcpProblem({ node: m.from, capabilities: src.capabilities }, { node: m.to, capabilities: dst.capabilities });
    if (problem) throw new StepFailure("MigrationManager", problem);
  }
  const choice = chooseStrategy({ node: m.from, capabilities: src.capabilities }, { node: m.to, capabilities: dst.capabilities }, required ?? m.requestedStrategy);
  m.reason = required && choice.strategy ? `${choice.reason}; required by policy ${m.policy!.decidedBy}` : choice.reason;
  if (choice.strategy === null) {
    throw new StepFailure(required ? "PolicyEnforcer" : "MigrationManager", required ? `policy ${m.policy!.decidedBy} requires ${required}: ${choice.reason}` : choice.reason);
  }
  m.strategy = choice.strategy;
  return { next: "PREPARATION", component: "MigrationManager", message: `Strategy ${choice.strategy}: ${m.reason}` };
};

/** The policies' verdict, kept on the record, its notices sent and its caps armed; a denial fails the move. */
async function decide(m: ManagedMove, env: StepEnv): Promise<void> {
  const verdict: PolicyVerdict = m.faults?.policyDenies
    ? { allow: false, reason: `${m.faults.policyDenies} (injected fault)` }
    : await env.policy.check(viewOf(m)).catch((err: Error) => {
        throw new StepFailure("PolicyEnforcer", `policies could not be evaluated: ${err.message}`);
      });
  const effects = verdict.effects;
  const view: MovePolicyView = {
    decidedBy: verdict.decidedBy ?? null,
    allow: verdict.allow,
    reason: verdict.reason ?? `policy ${env.policy.name} allows the move`,
    priority: effects?.priority ?? m.queue?.priority ?? "normal",
    ...(effects?.requireStrategy ? { requireStrategy: effects.requireStrategy } : {}),
    gradualRedirect: effects?.gradualRedirect ?? false,
    notify: effects?.notify ?? [],
    constraints: effects?.constraints ?? {},
  };
  m.policy = view;
  for (const message of view.notify) {
    env.notify?.(viewOf(m), view.decidedBy, message);
    env.note(m, "INFO", "PolicyEnforcer", `notify: ${message}`);
  }
  if (!verdict.allow) {
    throw new StepFailure("PolicyEnforcer", verdict.decidedBy === undefined ? `policy ${env.policy.name} denies the move: ${verdict.reason}` : verdict.reason);
  }
  env.note(m, "INFO", "PolicyEnforcer", view.reason);
  const cap = view.constraints.max_concurrent_migrations;
  if (cap !== undefined) {
    const others = env.othersInFlight(m);
    if (others >= cap) throw new StepFailure("PolicyEnforcer", `policy ${view.decidedBy}: ${others} other move(s) in flight, max_concurrent_migrations ${cap}`);
  }
  const limit = view.constraints.migration_duration;
  if (limit !== undefined) m.deadlineMs = env.now().getTime() + limit * 1000;
  const caps = [
    limit === undefined ? "" : `rolled back past ${limit} s`,
    view.constraints.max_bandwidth_mbps === undefined ? "" : `transfer at most ${view.constraints.max_bandwidth_mbps} Mb/s`,
    view.gradualRedirect ? "gradual redirect" : "",
  ].filter(Boolean);
  if (caps.length) env.note(m, "INFO", "PolicyEnforcer", `constraints: ${caps.join(", ")}`);
}

async function infoOf(p: Promise<AgentInfo>, node: string): Promise<AgentInfo> {
  try {
    return await p;
  } catch (err) {
    throw new StepFailure("StateSynchronizer", `agent ${node} unreachable: ${(err as Error).message}`);
  }
}
