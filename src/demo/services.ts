// The machine's services the loop needs, started by scripts/services.sh (the
// one place that knows how to start them as this platform allows, and that
// leaves running ones alone): Open vSwitch for the loop and the testbed.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const SERVICES_SCRIPT = fileURLToPath(new URL("../../scripts/services.sh", import.meta.url));

/** Starts Open vSwitch unless it runs; throws with the script's own words when it cannot. */
export async function ensureOvs(): Promise<void> {
  await promisify(execFile)("bash", [SERVICES_SCRIPT, "start", "ovs"], { timeout: 120_000 }).catch((err: { stderr?: string; message: string }) => {
    throw new Error(`cannot start Open vSwitch: ${(err.stderr?.trim() || err.message).split("\n").slice(-3).join(" ")}`);
  });
}
