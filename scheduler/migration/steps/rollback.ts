// ROLLING_BACK: undo exactly what was changed, newest last-in first-out where
// it matters: the agent rolls back first (the workload runs on the source
// again, from its images after a resume, before anything drops the
// destination's copy), then traffic and DNS return to the source.
import type { MigrationView } from "../../../src/api-types/agent.js";
import { absorbAgentMetrics } from "../agent-watch.js";
import { type Step, type StepEnv, StepFailure } from "../context.js";
import type { ManagedMove } from "../record.js";

export const rollback: Step = async (m, env) => {
  if (m.changes.agentStarted && !m.changes.agentRolledBack) await rollbackAgent(m, env);
  if (m.changes.redirectIds.length > 0) {
    await env.network.rollbackRedirects(m.changes.redirectIds);
    env.note(m, "INFO", "NetworkManager", `redirect(s) ${m.changes.redirectIds.join(", ")} rolled back: ${m.service?.ip} goes to ${m.from} again`);
    m.changes.redirectIds = [];
    await env.save(m);
  }
  if (m.changes.dnsSet && m.service?.dnsName) {
    await env.network.setDns(m.service.dnsName, m.service.ip);
    m.changes.dnsSet = false;
    env.note(m, "INFO", "NetworkManager", `DNS ${m.service.dnsName} -> ${m.service.ip} (as before the move)`);
  }
  const ran = m.metrics.destinationRanMs;
  return {
    next: "FAILED",
    component: "MigrationManager",
    message: `Rolled back: workload serves on ${m.from}${ran !== null ? ` (destination ran ${ran} ms; its changes discarded)` : ""}`,
  };
};

async function rollbackAgent(m: ManagedMove, env: StepEnv): Promise<void> {
  const source = env.source(m);
  const id = m.agentMigrationId ?? (await findStarted(m, env));
  if (id) {
    m.agentMigrationId = id;
    let view: MigrationView;
    try {
      view = await source.rollbackMigration(id);
    } catch (err) {
      // An agent migration that failed by itself has already resumed the source: then rollback has nothing to do.
      view = await source.migration(id).catch(() => {
        throw new StepFailure("StateSynchronizer", `agent rollback of ${id} failed: ${(err as Error).message}`);
      });
      if (view.phase !== "failed") throw new StepFailure("StateSynchronizer", `agent rollback of ${id} failed: ${(err as Error).message}`);
    }
    absorbAgentMetrics(m, view);
    env.note(m, "INFO", "StateSynchronizer", `agent migration ${id} rolled back (phase ${view.phase})`);
  }
  const back = (await source.workloads()).find((w) => w.id === m.workloadId);
  if (back?.state !== "running") {
    throw new StepFailure("StateSynchronizer", `after rollback the source shows workload ${m.workloadId} ${back ? back.state : "missing"}`);
  }
  m.changes.agentRolledBack = true;
  env.note(m, "INFO", "StateSynchronizer", `workload ${m.workloadId} runs on ${m.from} again`);
  await env.save(m);
}

/** The source's migration of this workload started since the move was requested (its id was not saved before a crash). */
export async function findStarted(m: ManagedMove, env: StepEnv): Promise<string | undefined> {
  const since = Date.parse(m.requestedAt);
  const found = (await env.source(m).migrations()).filter((v) => v.workloadId === m.workloadId && Date.parse(v.startedAt) >= since);
  return found.at(-1)?.id;
}
