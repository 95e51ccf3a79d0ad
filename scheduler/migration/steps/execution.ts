// EXECUTION: the source agent moves the workload (commit "manual": it keeps
// its images until told). The service's IP follows to the destination's
// bridge port as early as it safely can: once the source froze with its
// network fenced (the destination's port is fenced too until its copy runs,
// so no frame reaches either copy and nothing is lost by redirecting then),
// else the moment the destination runs it. DNS is updated after.
import type { MigrationView } from "../../../src/api-types/agent.js";
import { waitForAgent } from "../agent-watch.js";
import { type Step, type StepEnv, StepFailure } from "../context.js";
import type { ManagedMove } from "../record.js";

type PortView = { dpid: string | null; ofport: number | null };

const resumed = (v: MigrationView) => v.resumedAt !== undefined || v.phase === "awaiting-commit" || v.phase === "done";

export const execution: Step = async (m, env) => {
  if (m.agentMigrationId === undefined) await startAgentMigration(m, env);
  const early = (v: MigrationView) => !m.redirectedTo && v.frozenAt !== undefined && usablePort(v.destinationNetwork) !== undefined && canRedirect(m, env);
  let view = await waitForAgent(m, env, "execution", (v) => resumed(v) || early(v));
  if (!resumed(view)) {
    await redirectEarly(m, env, view);
    view = await waitForAgent(m, env, "execution", resumed);
  }
  // Resume as the agent saw it (same machine clock in the loop; its own clock otherwise): the redirect's lag counts from there.
  const agentResumed = view.resumedAt ? Date.parse(view.resumedAt) : Number.NaN;
  m.resumedAtMs ??= Number.isFinite(agentResumed) ? agentResumed : env.now().getTime();
  m.destinationWorkloadId = view.destinationWorkloadId ?? m.workloadId;
  env.note(m, "INFO", "StateSynchronizer", `workload resumed on ${m.to}${view.resumedAt ? ` at ${view.resumedAt}` : ""} (phase ${view.phase})`);
  // The resume is journaled while the redirect runs: the network follows without waiting for the disk.
  const saved = env.save(m);
  try {
    await redirect(m, env, m.destinationWorkloadId, view.destinationNetwork);
  } finally {
    await saved;
  }
  await env.save(m);
  return { next: "VERIFICATION", component: "MigrationManager", message: `Workload runs on ${m.to}, service redirected` };
};

async function startAgentMigration(m: ManagedMove, env: StepEnv): Promise<void> {
  // Saved first: after a crash from here on, recovery asks the source agent what it started.
  m.changes.agentStarted = true;
  await env.save(m);
  try {
    const started = await env.source(m).startMigration({
      workload: m.workloadId,
      destination: m.toEndpoint,
      ...(m.strategy ? { strategy: m.strategy as "postcopy" | "precopy" | "stopcopy" } : {}),
      commit: "manual",
      cpuLimit: m.cpuShare,
      // A policy's max_bandwidth_mbps: megabits to the agent's bytes per second.
      ...(m.policy?.constraints.max_bandwidth_mbps ? { bandwidthBps: Math.round((m.policy.constraints.max_bandwidth_mbps * 1e6) / 8) } : {}),
      ...(m.faults?.agent ? { faults: m.faults.agent } : {}),
    });
    m.agentMigrationId = started.id;
  } catch (err) {
    m.changes.agentStarted = false; // refused: the agent started nothing
    throw new StepFailure("StateSynchronizer", `source agent ${m.from} refused the migration: ${(err as Error).message}`);
  }
  const now = env.now().getTime();
  m.agentStartedAtMs = now;
  m.metrics.decisionToAgentStartMs = now - Date.parse(m.requestedAt);
  env.note(m, "INFO", "StateSynchronizer", `agent migration ${m.agentMigrationId} started (${m.strategy ?? "auto"}, commit manual, ${m.cpuShare} cores on ${m.to})`);
  await env.save(m);
}

function usablePort(p: PortView | undefined): { dpid: string; ofport: number } | undefined {
  return p?.dpid && typeof p.ofport === "number" ? { dpid: p.dpid, ofport: p.ofport } : undefined;
}

const canRedirect = (m: ManagedMove, env: StepEnv) => m.service !== undefined && env.network.configured;

/**
 * During the frozen window: a failure here is not the move's failure (the
 * redirect is tried again at the resume), but whatever it changed is
 * recorded and rolled back with the rest.
 */
async function redirectEarly(m: ManagedMove, env: StepEnv, view: MigrationView): Promise<void> {
  const to = usablePort(view.destinationNetwork);
  if (!to) return;
  const frozen = view.frozenAt ? Date.parse(view.frozenAt) : Number.NaN;
  if (Number.isFinite(frozen)) m.frozenAtMs = frozen;
  try {
    // Held: the device's frames sent meanwhile wait at the controller and reach the workload the moment its port opens.
    const hold = redirectStrategyOf(m, env) !== "gradual";
    await sendRedirect(m, env, to, hold);
    env.note(m, "INFO", "NetworkManager", `${m.service?.ip} redirected to ${to.dpid}:${to.ofport} during the frozen window (${m.metrics.networkReconfigurationMs} ms; both copies fenced${hold ? ", frames held until the port opens" : ""})`);
    await env.save(m);
  } catch (err) {
    env.note(m, "WARN", "NetworkManager", `early redirect failed, trying again at the resume: ${(err as Error).message}`);
  }
}

async function redirect(m: ManagedMove, env: StepEnv, destinationWorkload: string, destinationPort?: PortView): Promise<void> {
  const service = m.service;
  if (!service) {
    env.note(m, "WARN", "NetworkManager", "the task has no service address: nothing to redirect");
    return;
  }
  if (!env.network.configured) {
    env.note(m, "WARN", "NetworkManager", "no controller configured: service not redirected");
    return;
  }
  // The source agent tells where the workload answers now with its resume; an older agent is asked.
  const to = usablePort(destinationPort ?? (await env.destination(m).workloads()).find((w) => w.id === destinationWorkload)?.network);
  if (!to) throw new StepFailure("NetworkManager", `destination ${m.to} shows no bridge port for workload ${destinationWorkload}`);
  const done = m.redirectedTo;
  if (!done || done.dpid !== to.dpid || done.ofport !== to.ofport) {
    try {
      await sendRedirect(m, env, to);
    } catch (err) {
      throw new StepFailure("NetworkManager", `redirect of ${service.ip} to ${m.to} failed: ${(err as Error).message}`);
    }
    env.note(m, "INFO", "NetworkManager", `${service.ip} redirected to ${to.dpid}:${to.ofport} (${m.metrics.networkReconfigurationMs} ms)`);
  }
  // Redirect done (the switches confirmed) after the resume; zero when it was done before.
  m.metrics.resumeToRedirectMs = Math.max(0, m.redirectedTo!.atMs - (m.resumedAtMs ?? m.redirectedTo!.atMs));
  if (service.dnsName) {
    await env.network.setDns(service.dnsName, service.ip);
    m.changes.dnsSet = true;
    env.note(m, "INFO", "NetworkManager", `DNS ${service.dnsName} -> ${service.ip}`);
  }
}

/** A policy's trigger_load_balancer_reconfiguration: the gradual redirect for this move; else the configured one. */
const redirectStrategyOf = (m: ManagedMove, env: StepEnv) => (m.policy?.gradualRedirect ? "gradual" : env.redirectStrategy);

async function sendRedirect(m: ManagedMove, env: StepEnv, to: { dpid: string; ofport: number }, hold = false): Promise<void> {
  const service = m.service!;
  const answer = await env.network.redirect({
    service: m.task.id,
    ip: service.ip,
    mac: service.mac,
    to: { switch: to.dpid, port: to.ofport },
    strategy: redirectStrategyOf(m, env),
    ...(hold && { hold }),
  });
  m.changes.redirectIds.push(...answer.redirectIds);
  m.metrics.networkReconfigurationMs = answer.reconfigurationMs;
  m.redirectedTo = { ...to, atMs: env.now().getTime() };
}
