// Environment probes for the suites that need root, OVS, Mininet, CRIU or
// Docker. Without CI they skip with the reason printed; with CI=true a missing
// tool fails the suite with that reason, so CI never goes green by skipping.
import { execFileSync } from "node:child_process";
import { describe, it } from "vitest";

/** Whether this run is CI's (CI=true or CI=1), where nothing may skip. */
export const inCi = /^(true|1)$/i.test(process.env.CI ?? "");

export function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** null when `cmd args` exits 0, else why not: the first line of its stderr, or the error. */
export function commandFailure(cmd: string, args: string[] = ["--version"]): string | null {
  try {
    execFileSync(cmd, args, { stdio: ["ignore", "ignore", "pipe"], timeout: 10_000 });
    return null;
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    const firstLine = e.stderr?.toString().trim().split("\n")[0];
    return `${[cmd, ...args].join(" ")} failed: ${firstLine || e.message.split("\n")[0]}`;
  }
}

export function hasCommand(cmd: string, args: string[] = ["--version"]): boolean {
  return commandFailure(cmd, args) === null;
}

/**
 * One requirement: a check and what is missing when it fails, or a probe that
 * answers null when all is well, else the reason.
 */
export type Requirement = [boolean | (() => boolean), string] | (() => string | null);

/** null when every requirement holds, else the first missing one, as a reason. */
export function missing(requirements: Requirement[]): string | null {
  for (const r of requirements) {
    if (typeof r === "function") {
      const reason = r();
      if (reason) return reason;
      continue;
    }
    const [ok, what] = r;
    if (!(typeof ok === "function" ? ok() : ok)) return what;
  }
  return null;
}

/** `probe`'s failure, if any, after `what` (e.g. "Open vSwitch is not running: ovs-vsctl show failed: …"). */
const because = (what: string, probe: () => string | null) => (): string | null => {
  const failure = probe();
  return failure === null ? null : `${what}: ${failure}`;
};

export const needs = {
  root: (): Requirement => [isRoot, "needs root"],
  ovs: (): Requirement => because("Open vSwitch is not running", () => commandFailure("ovs-vsctl", ["--timeout=3", "show"])),
  mininet: (): Requirement => because("Mininet is not installed", () => commandFailure("/usr/bin/python3", ["-c", "import mininet"])),
  criu: (): Requirement => because("criu check fails or criu is missing", () => commandFailure("criu", ["check"])),
  docker: (): Requirement => because("no Docker engine runs", () => commandFailure("docker", ["info"])),
  etcd: (): Requirement => because("etcd is not installed (Debian's etcd-server)", () => commandFailure("etcd", ["--version"])),
};

/**
 * Runs `fn` as a describe block when `reason` is null. Else, under CI, a
 * suite of one failing test that gives the reason; outside CI, skipped with
 * the reason printed.
 */
export function describeWhen(title: string, reason: string | null, fn: () => void): void {
  if (!reason) {
    describe(title, fn);
  } else if (inCi) {
    describe(title, () => {
      it("has what it needs to run", () => {
        throw new Error(`CI=true but ${reason}`);
      });
    });
  } else {
    process.stderr.write(`[skip] ${title}: ${reason}\n`);
    describe.skip(title, fn);
  }
}

/** Inside a running test: skip it (printing why), or under CI fail it with the reason. */
export function skipOrFail(t: { skip(): void }, title: string, reason: string): void {
  if (inCi) throw new Error(`CI=true but ${title}: ${reason}`);
  process.stderr.write(`[skip] ${title}: ${reason}\n`);
  t.skip();
}
