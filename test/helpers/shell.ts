// Running host tools (ovs-vsctl, ovs-ofctl, ip) from integration tests.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const exec = promisify(execFile);
const TOOL_TIMEOUT_MS = 20_000;

/** The command's stdout; a non-zero exit throws with its stderr. */
export async function sh(cmd: string, ...args: string[]): Promise<string> {
  return (await exec(cmd, args, { timeout: TOOL_TIMEOUT_MS })).stdout;
}

/** Whether the command exited 0 (for clean-up of leftovers that may not exist). */
export async function shOk(cmd: string, ...args: string[]): Promise<boolean> {
  try {
    await exec(cmd, args, { timeout: TOOL_TIMEOUT_MS });
    return true;
  } catch {
    return false;
  }
}

/**
 * A user-space (netdev) OVS bridge speaking OpenFlow 1.3 in fail-mode secure to
 * a controller on 127.0.0.1; `extra` are more ovs-vsctl commands (each after a
 * "--") run in the same transaction, e.g. adding its ports.
 */
export async function addControlledBridge(bridge: string, openflowPort: number, extra: string[] = []): Promise<void> {
  await sh(
    "ovs-vsctl",
    ...["add-br", bridge, "--", "set", "Bridge", bridge, "datapath_type=netdev", "protocols=OpenFlow13", "fail-mode=secure"],
    ...extra,
    ...["--", "set-controller", bridge, `tcp:127.0.0.1:${openflowPort}`],
  );
}
