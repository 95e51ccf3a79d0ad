// How the shell runs a host tool: argv in, exit code and output out. Tests of
// the shell pass their own runner; the real one is execFile with a timeout.
import { execFile } from "node:child_process";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type Runner = (argv: string[]) => Promise<RunResult>;

const TOOL_TIMEOUT_MS = 20_000;

export const execRunner: Runner = (argv) =>
  new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), { timeout: TOOL_TIMEOUT_MS }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 127) : 0;
      resolve({ code, stdout, stderr: stderr || (err && !stderr ? err.message : "") });
    });
  });
