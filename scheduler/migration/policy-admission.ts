// The manager's AdmissionPort over the placement policy's data protection: the
// destination's registered spec (with its attribute certificate) against the
// task's regulation, checked when PLANNING runs.
import type { NodeAdmission, PlacementPolicy } from "../placement/types.js";
import type { AdmissionPort } from "./ports.js";

export function policyAdmission(policy: PlacementPolicy, admission: NodeAdmission): AdmissionPort {
  return {
    refuse(move) {
      if (!admission.restricts(move.task)) return undefined;
      const node = policy.nodes().find((n) => n.name === move.to);
      if (!node) return `node ${move.to} is not registered`;
      return admission.refuse(move.task, node);
    },
  };
}
