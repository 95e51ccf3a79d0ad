// Direct children of a process, from /proc (every thread's `children` file):
// the one place the agent walks a tree it started.
import { readdir, readFile } from "node:fs/promises";

export async function childPids(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const tid of await readdir(`/proc/${pid}/task`).catch(() => [] as string[])) {
    const text = await readFile(`/proc/${pid}/task/${tid}/children`, "utf8").catch(() => "");
    for (const c of text.trim().split(/\s+/)) if (c) out.push(Number(c));
  }
  return out;
}

/**
 * Ends a CRIU restore cut short, by PID: first the tree it was restoring (its
 * children; a tree restored into its own PID namespace goes whole with its
 * root), then CRIU itself. A restore killed alone could leave its half-made
 * tree waiting forever on pages that never come.
 */
export async function killRestoreTree(criuPid: number): Promise<void> {
  for (const child of await childPids(criuPid)) signal(child);
  signal(criuPid);
}

function signal(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}
