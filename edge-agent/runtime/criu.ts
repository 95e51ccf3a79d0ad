// Typed wrappers around the `criu` CLI. Every run writes its own log file
// (-o) into the images directory so a failure can be reported with CRIU's words.
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { CriuRun } from "../migration/strategy.js";

export const CRIU = process.env.FLEXIMIGRATE_CRIU ?? "criu";

/** Flags every dump/restore of a workload tree uses, and why. */
export const TREE_FLAGS = [
  // The agent places the restored tree into its own cgroup itself (paths differ per node).
  "--manage-cgroups=ignore",
];

/** Runs `criu ARGS -o LOGNAME` in `dir`; never throws for a non-zero exit. */
export function runCriu(dir: string, args: string[], logName: string): Promise<CriuRun> {
  return finish(spawnCriu(dir, args, logName), dir, logName);
}

/** Spawns criu in the background; `exited` resolves when it ends. */
export function runCriuDetached(dir: string, args: string[], logName: string): { pid: number; exited: Promise<CriuRun> } {
  const child = spawnCriu(dir, args, logName);
  return { pid: child.pid ?? -1, exited: finish(child, dir, logName) };
}

function spawnCriu(dir: string, args: string[], logName: string) {
  return spawn(CRIU, [...args, "-o", logName, "-v4"], {
    cwd: dir,
    stdio: ["ignore", "ignore", "pipe"],
  });
}

function finish(child: ReturnType<typeof spawn>, dir: string, logName: string): Promise<CriuRun> {
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => {
    const done = async (code: number) => {
      const logFile = path.join(dir, logName);
      const log = await readFile(logFile, "utf8").catch(() => "");
      resolve({ code, logFile, tail: errorTail(log || stderr) });
    };
    child.on("error", (err) => {
      stderr += err.message;
      void done(-1);
    });
    child.on("close", (code) => void done(code ?? -1));
  });
}

/** The last error or failure lines of a CRIU log (or its last lines), for messages. */
export function errorTail(log: string, count = 4): string {
  const lines = log.split("\n").filter((l) => l.trim());
  // CRIU always logs a harmless "error" line about raising RLIMIT_NOFILE.
  const errors = lines.filter((l) => /error|fail/i.test(l) && !/RLIMIT_NOFILE/.test(l));
  return (errors.length ? errors : lines).slice(-count).join("\n");
}

/** Throws with CRIU's own error lines when a run failed. */
export function ensureOk(run: CriuRun, what: string): CriuRun {
  if (run.code !== 0) throw new Error(`${what} failed (criu exit ${run.code}): ${run.tail}`);
  return run;
}

/** `criu dump` of the tree rooted at `pid`, left stopped so it can be resumed on failure. */
export function dumpArgs(pid: number, extra: string[] = []): string[] {
  return ["dump", "-t", String(pid), "-D", ".", "--leave-stopped", "--skip-in-flight", ...TREE_FLAGS, ...extra];
}

/** `criu restore` detached, writing the host PID of the root to `pidfile`. */
export function restoreArgs(pidfile: string, extra: string[] = []): string[] {
  return ["restore", "-D", ".", "-d", "--pidfile", pidfile, ...TREE_FLAGS, ...extra];
}
