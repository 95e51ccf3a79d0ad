// Score: highest CPU usage first (bin packing keeps other nodes free); ties: name.
import type { ScorePlugin } from "../framework.js";
import { byName, usage } from "../node-state.js";

export const mostUsedFirst: ScorePlugin = {
  name: "most-used",
  indexedAs: "most-used",
  compare: (a, b) => usage(b) - usage(a) || byName(a.name, b.name),
};
