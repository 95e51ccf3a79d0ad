// Filter: only nodes of one tier (edge or cloud).
import type { FilterPlugin } from "../framework.js";
import type { Tier } from "../types.js";

export function tierFilter(tier: Tier): FilterPlugin {
  return { name: `tier-${tier}`, indexedAs: { tier }, filter: (node) => node.tier === tier };
}
