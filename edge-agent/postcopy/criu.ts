// Thin shell around the criu binary: runs it with a log file in the images
// dir and turns a failure into an error carrying the log's last lines.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { CRIU, errorTail } from "../runtime/criu.js";

const run = promisify(execFile);

export async function criuVersion(): Promise<string> {
  const { stdout } = await run(CRIU, ["--version"], { timeout: 10_000 });
  const m = /Version:\s*(\S+)/.exec(stdout);
  if (!m) throw new Error(`unexpected 'criu --version' output: ${stdout.trim()}`);
  return m[1]!;
}

export async function logTail(dir: string, log: string, lines = 6): Promise<string> {
  try {
    return errorTail(await readFile(join(dir, log), "utf8"), lines);
  } catch {
    return "(no log)";
  }
}

/** Runs `criu ARGS -D dir -o log` to completion. */
export async function criu(dir: string, log: string, args: string[], timeoutMs = 120_000): Promise<void> {
  await mkdir(dir, { recursive: true });
  try {
    await run(CRIU, [...args, "-D", dir, "-o", log], { timeout: timeoutMs, maxBuffer: 1 << 20 });
  } catch (err) {
    throw new Error(`criu ${args[0]} failed: ${(err as Error).message.split("\n")[0]}\n${await logTail(dir, log)}`);
  }
}

/** Starts a long-running criu (lazy-pages) with stdio detached from ours. */
export function spawnCriu(dir: string, log: string, args: string[]): ChildProcess {
  return spawn(CRIU, [...args, "-D", dir, "-o", log], { stdio: "ignore" });
}
