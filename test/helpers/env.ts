// Environment probes for integration tests: suites that need root, OVS,
// Mininet, CRIU or Docker skip with a printed reason where these are missing.
import { execFileSync } from "node:child_process";
import { describe } from "vitest";

export function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

export function hasCommand(cmd: string, args: string[] = ["--version"]): boolean {
  try {
    execFileSync(cmd, args, { stdio: "ignore", timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** Runs `fn` as a describe block when `reason` is null, else skips it and prints why. */
export function describeWhen(title: string, reason: string | null, fn: () => void): void {
  if (reason) {
    process.stderr.write(`[skip] ${title}: ${reason}\n`);
    describe.skip(title, fn);
  } else {
    describe(title, fn);
  }
}

/** null when every requirement holds, else the first missing one, as a reason. */
export function missing(requirements: Array<[boolean | (() => boolean), string]>): string | null {
  for (const [ok, what] of requirements) if (!(typeof ok === "function" ? ok() : ok)) return what;
  return null;
}

export const needs = {
  root: (): [() => boolean, string] => [isRoot, "needs root"],
  ovs: (): [() => boolean, string] => [() => hasCommand("ovs-vsctl", ["--timeout=3", "show"]), "Open vSwitch is not running"],
  mininet: (): [() => boolean, string] => [() => hasCommand("/usr/bin/python3", ["-c", "import mininet"]), "Mininet is not installed"],
  criu: (): [() => boolean, string] => [() => hasCommand("criu", ["check"]), "criu check fails or criu is missing"],
  docker: (): [() => boolean, string] => [() => hasCommand("docker", ["info"]), "no Docker engine runs"],
};
