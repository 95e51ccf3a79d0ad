// Filter: the node has free capacity for the share the request needs at the
// node's network delay (and that share is feasible there).
import type { FilterPlugin } from "../framework.js";
import { fits } from "../node-state.js";

export const capacityFilter: FilterPlugin = {
  name: "capacity",
  indexedAs: "capacity",
  filter: (node, need) => fits(node, need(node.netDelayMs)),
};
