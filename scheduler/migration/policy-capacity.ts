// The manager's CapacityPort over the placement policy. The policy's decision
// already moved the task (its share on the destination is held, the source's
// freed), so reserve and release confirm that; undo puts it back on the
// source, where the workload runs again after a rollback.
import type { PlacementPolicy } from "../placement/types.js";
import type { CapacityPort } from "./ports.js";

export function policyCapacity(policy: PlacementPolicy): CapacityPort {
  const nodeOf = (task: string) => policy.placements().find((p) => p.request.id === task)?.node;
  return {
    placed: (task) => nodeOf(task) !== undefined,
    registered: (node) => policy.nodes().some((n) => n.name === node),
    recheck(move) {
      const node = policy.nodes().find((n) => n.name === move.to);
      if (!node) return `node ${move.to} is not registered`;
      // The decision counted the task there already: over capacity means something else took the room.
      if (node.usedCpus > node.cpus + 1e-9) return `${node.usedCpus} of ${node.cpus} cores in use`;
      return undefined;
    },
    reserve(move) {
      const at = nodeOf(move.task.id);
      if (at === undefined) return "the task is no longer placed";
      return at === move.to ? undefined : `the placement shows ${at}, not ${move.to}`;
    },
    release(move) {
      const at = nodeOf(move.task.id);
      return at === undefined || at === move.to ? undefined : `the placement shows ${at}, not ${move.to}`;
    },
    undo(move) {
      if (nodeOf(move.task.id) === undefined) return undefined; // released meanwhile: nothing to put back
      return policy.relocate(move.task.id, move.from) ? undefined : `cannot put ${move.task.id} back on ${move.from}`;
    },
  };
}
