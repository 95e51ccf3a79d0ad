// PREPARATION: the destination's share is held, and the network can carry
// the service between the two nodes' sites. From here on a failure rolls back.
import { type Step, StepFailure } from "../context.js";
import { viewOf } from "../record.js";

export const preparation: Step = async (m, env) => {
  const problem = env.placement.reserve(viewOf(m));
  if (problem) throw new StepFailure("ResourceAllocator", `cannot reserve ${m.cpuShare} cores on ${m.to}: ${problem}`);
  m.changes.reserved = true;
  env.note(m, "INFO", "ResourceAllocator", `${m.cpuShare} cores reserved on ${m.to}`);
  await env.save(m);

  let path: string;
  try {
    const [src, dst] = await Promise.all([env.source(m).info(), env.destination(m).info()]);
    path = await env.network.ensurePath({ node: m.from, dpid: src.network?.dpid ?? null }, { node: m.to, dpid: dst.network?.dpid ?? null });
  } catch (err) {
    throw new StepFailure("NetworkManager", `no network path ${m.from} -> ${m.to}: ${(err as Error).message}`);
  }
  m.changes.pathEnsured = true;
  env.note(m, env.network.configured ? "INFO" : "WARN", "NetworkManager", path);
  return { next: "EXECUTION", component: "MigrationManager", message: `Destination ${m.to} prepared` };
};
