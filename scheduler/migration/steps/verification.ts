// VERIFICATION: the service answers on its IP through the network, and the
// agent reached awaiting-commit (post-copy: every page arrived); then the
// source is told to commit (it drops its images and frozen tree).
import { type Step, StepFailure } from "../context.js";
import { absorbAgentMetrics, waitForAgent } from "../agent-watch.js";

export const verification: Step = async (m, env) => {
  if (m.service) {
    const { ip, port, probePath } = m.service;
    const probe = await env.prober.probe({ ip, port, path: m.faults?.probePath ?? probePath });
    if (!probe.ok) throw new StepFailure("NetworkManager", `service does not answer on ${ip}:${port}: ${probe.detail}`);
    env.note(m, "INFO", "NetworkManager", probe.detail);
  } else {
    env.note(m, "WARN", "NetworkManager", "the task has no service address: not probed");
  }
  const view = await waitForAgent(m, env, "verification", (v) => v.phase === "awaiting-commit" || v.phase === "done");
  env.checkpoint(m);
  if (view.phase === "awaiting-commit") {
    try {
      absorbAgentMetrics(m, await env.source(m).commitMigration(m.agentMigrationId!));
    } catch (err) {
      throw new StepFailure("StateSynchronizer", `commit of agent migration ${m.agentMigrationId} failed: ${(err as Error).message}`);
    }
  }
  m.changes.committed = true;
  env.note(m, "INFO", "StateSynchronizer", `agent migration ${m.agentMigrationId} committed: the source released its copy`);
  return { next: "COMPLETED", component: "MigrationManager", message: `Service verified on ${m.to}` };
};
