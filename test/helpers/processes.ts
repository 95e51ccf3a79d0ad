// The one child-process wrapper of the test tree: spawn, keep the output, wait
// for a line, and end the child by its PID (SIGTERM, then SIGKILL). Every child
// is tracked, so one a test forgot is still ended when the test process exits.
import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { waitFor } from "./wait.js";

export interface TrackedChild {
  pid: number;
  /** Everything written on stdout so far. */
  stdout(): string;
  /** Everything written on stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  /** Resolves with the first stdout line `match` accepts; rejects when the child exits first or after `timeoutMs`. */
  line(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export function spawnChild(cmd: string, args: string[], opts: SpawnOptions = {}): TrackedChild {
  const proc = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...opts });
  const pid = proc.pid;
  if (pid === undefined) throw new Error(`cannot start ${cmd}`);
  running.add(proc);
  let stdout = "";
  let stderr = "";
  let output = ""; // both streams as they came, for failure messages
  proc.stdout?.on("data", (d: Buffer) => {
    stdout += d.toString();
    output += d.toString();
  });
  proc.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) =>
    proc.once("exit", (code) => {
      running.delete(proc);
      resolve(code);
    }),
  );
  const hasExited = () => proc.exitCode !== null || proc.signalCode !== null;
  return {
    pid,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async line(match, timeoutMs = 30_000) {
      const found = await waitFor(
        () => {
          const hit = stdout.split("\n").slice(0, -1).find(match);
          if (hit !== undefined) return { hit };
          if (hasExited()) throw new Error(`${cmd} exited with ${proc.exitCode ?? proc.signalCode} before the awaited line`);
          return null;
        },
        { timeoutMs, what: `a line from ${cmd}` },
      ).catch((err: Error) => {
        throw new Error(`${err.message}\n${output.slice(-20_000)}`);
      });
      return found.hit;
    },
    async stop(graceMs = 5000) {
      if (hasExited()) return;
      // ChildProcess.kill signals exactly this PID, and does not throw if it has just exited.
      proc.kill("SIGTERM");
      const timer = setTimeout(() => {
        if (!hasExited()) proc.kill("SIGKILL");
      }, graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
