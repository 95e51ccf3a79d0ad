// Runs the real `fleximigrate` CLI as a child process, as a user would, and
// returns its exit code and output instead of throwing on a non-zero exit.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

export const CLI_PATH = new URL("../../bin/fleximigrate.js", import.meta.url).pathname;

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], opts: { timeoutMs?: number } = {}): Promise<CliRun> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI_PATH, ...args], {
      timeout: opts.timeoutMs ?? 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
