// The controller as a child process on ephemeral ports, as the integration
// suites run it: started from the CLI, its ports read from the JSON line it
// prints first, stopped by its PID (SIGTERM, then SIGKILL after 5 s).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CLI_PATH } from "./cli.js";
import { spawnChild } from "./processes.js";
import { insecureUnlessTls } from "./trust.js";

export interface ControllerPorts {
  openflowPort: number;
  httpPort: number;
  dnsPort: number;
}

export interface ControllerProcess {
  ports: ControllerPorts;
  /** The last 20 kB the controller wrote on stderr, for failure messages. */
  stderr(): string;
  stop(): Promise<void>;
}

export async function startControllerProcess(extraArgs: string[] = [], timeoutMs = 30_000): Promise<ControllerProcess> {
  // A state folder of its own unless the caller gives one (and then keeps it): no other run's records.
  const ownState = extraArgs.includes("--state-dir") ? undefined : mkdtempSync(path.join(tmpdir(), "fm-ctl-state-"));
  const args = ["controller", "--openflow-port", "0", "--http-port", "0", "--dns-port", "0", ...(ownState ? ["--state-dir", ownState] : []), ...insecureUnlessTls(extraArgs), ...extraArgs];
  const child = spawnChild(process.execPath, [CLI_PATH, ...args]);
  const stderr = () => child.stderr().slice(-20_000);
  const first = await child.line(() => true, timeoutMs).catch(async (err: Error) => {
    await child.stop();
    if (ownState) rmSync(ownState, { recursive: true, force: true });
    throw new Error(`controller did not start: ${err.message}`);
  });
  const stop = async () => {
    await child.stop();
    if (ownState) rmSync(ownState, { recursive: true, force: true });
  };
  return { ports: JSON.parse(first) as ControllerPorts, stderr, stop };
}
