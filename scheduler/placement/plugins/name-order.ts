// Score: node name order, for first-fit policies.
import type { ScorePlugin } from "../framework.js";
import { byName } from "../node-state.js";

export const nameFirst: ScorePlugin = {
  name: "name-order",
  compare: (a, b) => byName(a.name, b.name),
};
