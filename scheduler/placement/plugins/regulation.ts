// Filter, data protection: a regulated request only goes to a node whose
// attribute certificate verifies now and satisfies its Regulation (the
// service's NodeAdmission decides; docs/data-protection.md). Unregulated
// requests pass every node, so their passes stay on the capacity index.
import type { FilterPlugin } from "../framework.js";
import type { NodeAdmission } from "../types.js";

export function regulationFilter(admission: NodeAdmission): FilterPlugin {
  return {
    name: "regulation",
    appliesTo: (request) => admission.restricts(request),
    filter: (node, _need, request) => request === undefined || !admission.restricts(request) || admission.refuse(request, node.spec) === undefined,
  };
}
