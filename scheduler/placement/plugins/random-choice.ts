// Score: no node is better than another, and the pick among them is uniformly
// random (seeded, so runs repeat), as the Kubernetes scheduler picks among
// equally scored nodes.
import { seededRng } from "../../../src/random.js";
import type { ScorePlugin } from "../framework.js";

export function randomChoice(seed: number): ScorePlugin {
  const random = seededRng(seed);
  return {
    name: "random-choice",
    compare: () => 0,
    pickAmong: (equal) => equal[Math.floor(random() * equal.length)]!,
  };
}
