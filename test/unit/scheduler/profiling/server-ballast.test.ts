// FLEXIMIGRATE_WORKLOAD_BALLAST_MIB: the image server holds that much touched
// memory from its start (a benchmark's stand-in for a workload's state), and
// says so on its first line; a bad value stops it with a clear message.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterEach, expect, it } from "vitest";
import { SERVER_PATH } from "../../../../scheduler/profiling/workload-process.js";

let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill("SIGKILL");
  child = undefined;
});

/** Starts the server with this ballast; answers its first stdout line, or its exit code and stderr. */
function start(ballast: string): Promise<{ line?: string; code?: number | null; stderr: string }> {
  child = spawn(process.execPath, ["--import", "tsx", SERVER_PATH], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, FLEXIMIGRATE_WORKLOAD_PORT: "0", FLEXIMIGRATE_WORKLOAD_BALLAST_MIB: ballast },
  });
  let out = "";
  let stderr = "";
  return new Promise((resolve) => {
    child!.stderr!.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child!.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("\n")) resolve({ line: out.split("\n")[0], stderr });
    });
    child!.once("exit", (code) => resolve({ code, stderr }));
  });
}

const rssKiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]);

it("holds the ballast resident from its start and reports it with its port", async () => {
  const { line } = await start("96");
  const report = JSON.parse(line!) as { port: number; ballastMiB: number };
  expect(report.port).toBeGreaterThan(0);
  expect(report.ballastMiB).toBe(96);
  // Touched, so resident: more than the ballast alone.
  expect(rssKiB(child!.pid!)).toBeGreaterThan(96 * 1024);
}, 30_000);

it("with 0, the default, prints its port alone", async () => {
  const { line } = await start("0");
  expect(Object.keys(JSON.parse(line!) as object)).toEqual(["port"]);
}, 30_000);

it("refuses a value that is not a whole number of MiB", async () => {
  const { code, stderr } = await start("1.5");
  expect(code).not.toBe(0);
  expect(stderr).toMatch(/FLEXIMIGRATE_WORKLOAD_BALLAST_MIB must be a whole number of MiB, not '1\.5'/);
}, 30_000);
