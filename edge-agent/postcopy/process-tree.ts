// PIDs of a process tree as its own PID namespace numbers them (the names CRIU
// gives pagemap-N.img and the lazy-pages daemon uses in dst_id), mapped to
// the PIDs we see.
import { readFile } from "node:fs/promises";
import { childPids } from "../runtime/proc-children.js";

/** The innermost NSpid of a process (its PID inside its own namespace). */
export async function namespacePid(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const line = /^NSpid:\s*(.+)$/m.exec(status);
  if (!line) throw new Error(`/proc/${pid}/status has no NSpid line`);
  const ids = line[1]!.trim().split(/\s+/).map(Number);
  return ids[ids.length - 1]!;
}

/** namespace PID -> host PID for every process under (and including) `root`. */
export async function treePidMap(root: number): Promise<Map<number, number>> {
  const map = new Map<number, number>();
  const todo = [root];
  while (todo.length) {
    const pid = todo.pop()!;
    map.set(await namespacePid(pid), pid);
    todo.push(...(await childPids(pid)));
  }
  return map;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
