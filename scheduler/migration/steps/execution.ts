// EXECUTION: the source agent moves the workload (commit "manual": it keeps
// its images until told); the moment the destination runs it, the service's
// IP is redirected to the destination's bridge port and DNS updated.
import { type Step, StepFailure } from "../context.js";
import { waitForAgent } from "../agent-watch.js";
import type { ManagedMove } from "../record.js";
import type { StepEnv } from "../context.js";

export const execution: Step = async (m, env) => {
  if (m.agentMigrationId === undefined) await startAgentMigration(m, env);
  const view = await waitForAgent(m, env, "execution", (v) => v.resumedAt !== undefined || v.phase === "awaiting-commit" || v.phase === "done");
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

async function redirect(m: ManagedMove, env: StepEnv, destinationWorkload: string, destinationPort?: { dpid: string | null; ofport: number | null }): Promise<void> {
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
  const net = destinationPort ?? (await env.destination(m).workloads()).find((w) => w.id === destinationWorkload)?.network;
  if (!net?.dpid || net.ofport === null || net.ofport === undefined) {
    throw new StepFailure("NetworkManager", `destination ${m.to} shows no bridge port for workload ${destinationWorkload}`);
  }
  try {
    const answer = await env.network.redirect({
      service: m.task.id,
      ip: service.ip,
      mac: service.mac,
      to: { switch: net.dpid, port: net.ofport },
      // A policy's trigger_load_balancer_reconfiguration: the gradual redirect for this move.
      strategy: m.policy?.gradualRedirect ? "gradual" : env.redirectStrategy,
    });
    m.changes.redirectIds.push(...answer.redirectIds);
    m.metrics.networkReconfigurationMs = answer.reconfigurationMs;
    // Redirect done: the switches confirmed (DNS, which follows, is not part of it).
    m.metrics.resumeToRedirectMs = env.now().getTime() - (m.resumedAtMs ?? env.now().getTime());
  } catch (err) {
    throw new StepFailure("NetworkManager", `redirect of ${service.ip} to ${m.to} failed: ${(err as Error).message}`);
  }
  env.note(m, "INFO", "NetworkManager", `${service.ip} redirected to ${net.dpid}:${net.ofport} (${m.metrics.networkReconfigurationMs} ms)`);
  if (service.dnsName) {
    await env.network.setDns(service.dnsName, service.ip);
    m.changes.dnsSet = true;
    env.note(m, "INFO", "NetworkManager", `DNS ${service.dnsName} -> ${service.ip}`);
  }
}
