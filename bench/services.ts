// A benchmark starts the system services it needs, as `npm test` does, with
// scripts/services.sh; its own state directory means that stopping afterwards
// stops only what this run started, never an engine someone else runs.
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const SCRIPT = fileURLToPath(new URL("../scripts/services.sh", import.meta.url));

export type Service = "ovs" | "docker";

/** Runs `fn` with `services` started when they are not running (as root; otherwise as they are). */
export async function withServices<T>(services: Service[], fn: () => Promise<T>): Promise<T> {
  if (services.length === 0 || process.getuid?.() !== 0) return fn();
  const state = mkdtempSync(join(tmpdir(), "fm-bench-services-"));
  const env = { ...process.env, FLEXIMIGRATE_STATE: state };
  const stop = () => {
    try {
      execFileSync("bash", [SCRIPT, "stop"], { env, timeout: 60_000, stdio: ["ignore", "ignore", "inherit"] });
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  };
  // Ctrl-C during a run still stops what the run started.
  const onSignal = (signal: NodeJS.Signals) => {
    stop();
    process.kill(process.pid, signal);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const { stderr } = await promisify(execFile)("bash", [SCRIPT, "start", ...services], { env, timeout: 120_000 });
    process.stderr.write(stderr);
    return await fn();
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    stop();
  }
}
