// Score: lowest CPU usage first (spreading); ties: name.
import type { ScorePlugin } from "../framework.js";
import { byName, usage } from "../node-state.js";

export const leastUsedFirst: ScorePlugin = {
  name: "least-used",
  indexedAs: "least-used",
  compare: (a, b) => usage(a) - usage(b) || byName(a.name, b.name),
};
