// `npm run bench -- rule3-bound`: is the bench trace's moves per case-3 admission
// intrinsic to rule 3 as written? For every case-3 admission (on the rule's own
// trajectory, on the state just before the decision) it compares the rule's moves
// with the fewest moves ANY set of one edge node's movable requests needs, found
// independently by brute force: sets of 1-3 requests, largest shares first, each
// set's cloud placement found by backtracking over the cloud nodes. Past 3 it
// bounds the fewest from below by the largest individually movable shares.
import { defineCommand } from "../src/cli/define.js";
import * as flag from "../src/cli/flags.js";
import { TRACE_FLAGS } from "./scheduler.js";
import { printJson } from "../src/cli/output.js";
import { IndexedFinder } from "../scheduler/placement/capacity-index.js";
import type { ClusterState } from "../scheduler/placement/cluster-state.js";
import { DelayAwarePolicy } from "../scheduler/placement/delay-aware.js";
import { planMoves } from "../scheduler/placement/move-planner.js";
import type { NodeState, PlacedTask } from "../scheduler/placement/node-state.js";
import type { NeedAt } from "../scheduler/placement/share.js";
import { SYNTHETIC_MODELS, syntheticNodes, syntheticTrace } from "../scheduler/planner/trace-generator.js";

export const command = defineCommand({
  name: "bench rule3-bound",
  description: `Replays the scheduler bench's trace with delay-aware and prints, per case-3
admission, the rule's moves beside the fewest moves any set of one node's requests
needs (brute force up to 3, a lower bound past that).`,
  flags: {
    ...TRACE_FLAGS,
    json: flag.boolean("print the figures as JSON"),
  },
  run: async (parsed) => {
    const v = parsed.values;
    const r = fewestMovesBound(syntheticNodes({ edge: v.edge, cloud: v.cloud }), v.requests, v.concurrent, v.seed);
    if (v.json) printJson(r);
    else {
      process.stdout.write(
        `${r.admissions} case-3 admissions: rule ${r.rulePerAdmission.toFixed(3)} moves each; fewest any set needs: ` +
          `${r.fewestAtLeast.toFixed(3)}..${r.fewestAtMost.toFixed(3)} each (exact in ${r.exact}); the rule needs the fewest in ${r.ruleIsFewest}\n` +
          `rule->fewest: ${Object.entries(r.byCount)
            .map(([k, n]) => `${k}:${n}`)
            .join(" ")}\n`,
      );
    }
    return 0;
  },
});

export interface BoundResult {
  admissions: number;
  rulePerAdmission: number;
  /** Per admission, the fewest moves any set needs: at least (lower bound past 3) and at most (the rule's count past 3). */
  fewestAtLeast: number;
  fewestAtMost: number;
  /** Admissions whose fewest is known exactly (found within 3, or the rule needed at most 4). */
  exact: number;
  ruleIsFewest: number;
  /** "rule->fewest" (6+ for six or more) -> admissions. */
  byCount: Record<string, number>;
}

export function fewestMovesBound(nodes: ReturnType<typeof syntheticNodes>, requests: number, concurrent: number, seed: number): BoundResult {
  const out: BoundResult = { admissions: 0, rulePerAdmission: 0, fewestAtLeast: 0, fewestAtMost: 0, exact: 0, ruleIsFewest: 0, byCount: {} };
  let rule = 0;
  let least = 0;
  let most = 0;
  const planner = (state: ClusterState, need: NeedAt, limits: Parameters<typeof planMoves>[2]) => {
    const { small, relaxed } = fewestBefore(state, need);
    const moves = planMoves(state, need, limits);
    if (typeof moves === "string") return moves;
    const n = moves.length;
    out.admissions++;
    rule += n;
    const upper = Math.min(small, n);
    const lower = Math.min(small === Number.POSITIVE_INFINITY ? Math.max(4, relaxed) : small, n);
    most += upper;
    least += lower;
    if (small <= 3 || n <= 4) out.exact++;
    if (upper === n) out.ruleIsFewest++;
    const key = `${n > 5 ? "6+" : n}->${upper > 5 ? "6+" : upper}`;
    out.byCount[key] = (out.byCount[key] ?? 0) + 1;
    return moves;
  };
  const policy = new DelayAwarePolicy({ nodes, models: SYNTHETIC_MODELS, seed: 1 }, new IndexedFinder(), planner);
  for (const ev of syntheticTrace({ requests, meanConcurrent: concurrent, seed })) {
    if (ev.kind === "release") policy.release(ev.id);
    else policy.place(ev.request);
  }
  const per = (x: number) => (out.admissions > 0 ? x / out.admissions : 0);
  return { ...out, rulePerAdmission: per(rule), fewestAtLeast: per(least), fewestAtMost: per(most) };
}

/** The fewest requests (1-3) of one edge node whose moves free it, or Infinity; and past that, a lower bound. */
function fewestBefore(state: ClusterState, need: NeedAt): { small: number; relaxed: number } {
  const cloud = [...state.nodes.values()].filter((n) => n.tier === "cloud");
  const fitsSome = new Map<unknown, boolean>();
  const movableNow = (t: PlacedTask) => {
    let f = fitsSome.get(t.moveClass);
    if (f === undefined) {
      f = state.finder.mostRoomAfter("cloud", t.moveClass!.need) >= 0;
      fitsSome.set(t.moveClass, f);
    }
    return f;
  };
  const candidates: { tasks: PlacedTask[]; deficit: number }[] = [];
  for (const n of state.nodes.values()) {
    if (n.tier !== "edge") continue;
    const m = need(n.netDelayMs);
    if (m < 0 || n.pinnedMilli + m > n.capMilli) continue;
    candidates.push({ tasks: n.movableTasks!.filter(movableNow).sort((a, b) => b.shareMilli - a.shareMilli), deficit: n.usedMilli + m - n.capMilli });
  }
  for (let k = 1; k <= 3; k++) for (const c of candidates) if (someSetFrees(c.tasks, k, c.deficit, cloud)) return { small: k, relaxed: k };
  let relaxed = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    let sum = 0;
    for (let k = 0; k < c.tasks.length; k++) {
      sum += c.tasks[k]!.shareMilli;
      if (sum >= c.deficit) {
        relaxed = Math.min(relaxed, k + 1);
        break;
      }
    }
  }
  return { small: Number.POSITIVE_INFINITY, relaxed };
}

/** Whether some `k` of `tasks` (sorted by share, largest first) free `deficit` and all fit the cloud together. */
function someSetFrees(tasks: PlacedTask[], k: number, deficit: number, cloud: NodeState[]): boolean {
  const pick: PlacedTask[] = [];
  const choose = (from: number, sum: number): boolean => {
    if (pick.length === k) return sum >= deficit && placeAll(pick, cloud, new Map(), 0);
    for (let i = from; i < tasks.length; i++) {
      let bound = sum;
      for (let j = i; j < i + k - pick.length && j < tasks.length; j++) bound += tasks[j]!.shareMilli;
      if (bound < deficit) return false;
      pick.push(tasks[i]!);
      if (choose(i + 1, sum + tasks[i]!.shareMilli)) return true;
      pick.pop();
    }
    return false;
  };
  return choose(0, 0);
}

/** Backtracking: each request on some cloud node with room for it at its budget, earlier ones counted. */
function placeAll(tasks: PlacedTask[], cloud: NodeState[], extra: Map<NodeState, number>, i: number): boolean {
  if (i === tasks.length) return true;
  const tried = new Set<string>();
  for (const c of cloud) {
    const share = tasks[i]!.moveClass!.need(c.netDelayMs);
    const used = c.usedMilli + (extra.get(c) ?? 0);
    if (share < 0 || used + share > c.capMilli) continue;
    // Nodes alike in delay, size and load give the same outcome: try one.
    const key = `${c.netDelayMs}|${c.capMilli}|${used}`;
    if (tried.has(key)) continue;
    tried.add(key);
    extra.set(c, used - c.usedMilli + share);
    const ok = placeAll(tasks, cloud, extra, i + 1);
    extra.set(c, used - c.usedMilli);
    if (ok) return true;
  }
  return false;
}
