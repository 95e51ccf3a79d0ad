// PENDING: is the move still possible? The task is placed, the source agent
// holds its workload, the destination agent answers. Nothing is touched:
// a failure here goes straight to FAILED.
import { type Step, StepFailure } from "../context.js";

export const pending: Step = async (m, env) => {
  if (!env.placement.placed(m.task.id)) throw new StepFailure("MigrationManager", `task '${m.task.id}' is no longer placed`);
  if (!env.placement.registered(m.to)) throw new StepFailure("ResourceAllocator", `destination ${m.to} is not registered`);
  const source = env.source(m);
  let held: boolean;
  try {
    held = (await source.workloads()).some((w) => w.id === m.workloadId && w.state === "running");
  } catch (err) {
    throw new StepFailure("StateSynchronizer", `source agent ${m.from} unreachable: ${(err as Error).message}`);
  }
  if (!held) throw new StepFailure("StateSynchronizer", `source agent ${m.from} runs no workload '${m.workloadId}'`);
  try {
    await env.destination(m).info();
  } catch (err) {
    throw new StepFailure("StateSynchronizer", `destination agent ${m.to} unreachable: ${(err as Error).message}`);
  }
  return {
    next: "PLANNING",
    component: "MigrationManager",
    message: `Workload ${m.workloadId} runs on ${m.from}, destination ${m.to} answers`,
  };
};
