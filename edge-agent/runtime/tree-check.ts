// Whether a restored process tree really runs, for workloads the agent cannot
// ask over HTTP (no port it reaches: no port at all, or a port inside the
// workload's own network namespace). Two samples of /proc some ms apart: every
// process still there, none stopped or dead, and its CPU time advancing, or
// its processes waiting (sleeping) as an idle server does.
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { treePids } from "./direct.js";

export interface TreeSample {
  pids: number;
  /** utime + stime of all its processes, in clock ticks. */
  cpuTicks: number;
  /** One-letter states (R, S, D, T, t, Z, X) of its processes. */
  states: string[];
}

export async function sampleTree(root: number): Promise<TreeSample | undefined> {
  let cpuTicks = 0;
  const states: string[] = [];
  for (const pid of await treePids(root)) {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields.length < 13) {
      if (pid === root) return undefined;
      continue;
    }
    states.push(fields[0]!);
    cpuTicks += Number(fields[11]) + Number(fields[12]);
  }
  return { pids: states.length, cpuTicks, states };
}

/**
 * Why two samples of one tree do not show it running, undefined when they do.
 * `final`: no later sample can change that (gone, stopped, dead); otherwise
 * (runnable without CPU yet: a throttled quota, a busy host) look again. Pure.
 */
export function treeNotRunning(first: TreeSample | undefined, second: TreeSample | undefined): { reason: string; final: boolean } | undefined {
  if (!first || !second) return { reason: "its root process is gone", final: true };
  const bad = second.states.filter((s) => /[TtZX]/.test(s));
  if (bad.length) return { reason: `${bad.length} of its ${second.pids} processes are stopped or dead (${bad.join("")})`, final: true };
  if (second.pids < first.pids) return { reason: `it lost processes (${first.pids} -> ${second.pids})`, final: true };
  if (second.cpuTicks > first.cpuTicks) return undefined;
  // Not advancing: fine when every process waits (an idle server, a reader on a pipe).
  if (second.states.every((s) => s === "S" || s === "D" || s === "I")) return undefined;
  return { reason: `its CPU time did not advance (states ${second.states.join("")})`, final: false };
}

/** How long a destination looks at a restored tree that gets no CPU before it calls it failed. */
export const TREE_CHECK_WINDOW_MS = 1000;

/** Throws when the tree rooted at `root` does not run: samples `gapMs` apart, for up to `windowMs` while it is only slow. */
export async function checkTreeRuns(root: number, opts: { gapMs?: number; windowMs?: number } = {}): Promise<void> {
  const gapMs = opts.gapMs ?? 100;
  const end = Date.now() + (opts.windowMs ?? TREE_CHECK_WINDOW_MS);
  const first = await sampleTree(root);
  for (;;) {
    await sleep(gapMs);
    const why = treeNotRunning(first, await sampleTree(root));
    if (!why) return;
    if (why.final || Date.now() >= end) throw new Error(`the restored tree (pid ${root}) does not run: ${why.reason}`);
  }
}

/** Whether the tree's root is stopped (SIGSTOP, or left stopped by `criu dump --leave-stopped`). */
export async function isStopped(root: number): Promise<boolean> {
  const stat = await readFile(`/proc/${root}/stat`, "utf8").catch(() => "");
  return /^[Tt]$/.test(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0] ?? "");
}
