// Removes what a testbed state file lists: children by PID (only while their
// command line is still ours), host objects by their exact removal commands,
// folders by exact path; then the state file.
import { readFileSync, rmSync } from "node:fs";
import { execRunner, type Runner } from "../loopnet/run.js";
import { dropState, readState, STATE_DIR, type TestbedState } from "./state-file.js";

function cmdline(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return null;
  }
}

async function gone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (cmdline(pid) === null) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cmdline(pid) === null;
}

export interface CleanReport {
  killed: string[];
  removed: number;
  dirs: string[];
}

export async function cleanState(state: TestbedState, run: Runner = execRunner): Promise<CleanReport> {
  const killed: string[] = [];
  for (const c of [...state.children].reverse()) {
    const line = cmdline(c.pid);
    if (line === null || !line.includes(c.cmdlineHas)) continue;
    try {
      process.kill(c.pid, "SIGTERM");
    } catch {
      continue;
    }
    if (!(await gone(c.pid, 5000))) {
      try {
        process.kill(c.pid, "SIGKILL");
      } catch {}
    }
    killed.push(`${c.name} (pid ${c.pid})`);
  }
  let removed = 0;
  for (const argv of state.removal) if ((await run(argv)).code === 0) removed++;
  for (const d of state.dirs) rmSync(d, { recursive: true, force: true });
  return { killed, removed, dirs: state.dirs };
}

/** Cleans `prefix`'s state file if there is one; null when there is none. Refuses while the run that wrote it is alive. */
export async function cleanPrefix(prefix: string, dir = STATE_DIR, run: Runner = execRunner): Promise<CleanReport | null> {
  const state = readState(prefix, dir);
  if (!state) return null;
  if (state.pid !== process.pid && cmdline(state.pid)?.includes("testbed")) throw new Error(`testbed '${prefix}' is running (pid ${state.pid}); stop it with 'fleximigrate testbed down --prefix ${prefix}'`);
  const report = await cleanState(state, run);
  dropState(prefix, dir);
  return report;
}
