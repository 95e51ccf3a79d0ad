// Two "test hosts" for agent integration tests: network namespaces fma-src
// and fma-dst, each with a veth to the root namespace (where the test runs)
// and a direct veth between them (the agents' own link). One agent in each.
import { execFileSync } from "node:child_process";
import { rmdirSync, rmSync } from "node:fs";
import path from "node:path";
import { spawnChild, type TrackedChild } from "../../helpers/processes.js";
import { TEST_ALLOW_FLAGS } from "../../helpers/allow-list.js";

const ROOT = path.resolve(import.meta.dirname, "../../..");
export const HOSTS = {
  src: { ns: "fma-src", fromTest: "10.213.1.1", onLink: "10.213.3.1" },
  dst: { ns: "fma-dst", fromTest: "10.213.2.1", onLink: "10.213.3.2" },
} as const;
export const AGENT_PORT = 7701;

const sh = (args: string[]) => execFileSync("ip", args, { stdio: "pipe" });
const quiet = (args: string[]) => {
  try {
    sh(args);
  } catch {
    // already gone
  }
};

export function teardownNet(): void {
  for (const ns of ["fma-src", "fma-dst"]) {
    quiet(["netns", "del", ns]);
    // The agents' per-node cgroup folders (workload groups inside are gone by now).
    for (const c of ["cpu", "cpuacct", "memory"]) {
      try {
        rmdirSync(`/sys/fs/cgroup/${c}/fleximigrate/${ns}`);
      } catch {
        // absent, or a leftover workload group still inside
      }
    }
  }
  for (const dev of ["fma-s0", "fma-d0", "fma-x1"]) quiet(["link", "del", dev]);
}

export function setupNet(): void {
  teardownNet();
  sh(["netns", "add", "fma-src"]);
  sh(["netns", "add", "fma-dst"]);
  const inNs = (ns: string, args: string[]) => sh(["-n", ns, ...args]);
  sh(["link", "add", "fma-s0", "type", "veth", "peer", "name", "fma-s1", "netns", "fma-src"]);
  sh(["link", "add", "fma-d0", "type", "veth", "peer", "name", "fma-d1", "netns", "fma-dst"]);
  sh(["link", "add", "fma-x1", "netns", "fma-src", "type", "veth", "peer", "name", "fma-x2", "netns", "fma-dst"]);
  sh(["addr", "add", "10.213.1.254/24", "dev", "fma-s0"]);
  sh(["addr", "add", "10.213.2.254/24", "dev", "fma-d0"]);
  sh(["link", "set", "fma-s0", "up"]);
  sh(["link", "set", "fma-d0", "up"]);
  for (const [ns, dev, addr] of [
    ["fma-src", "fma-s1", "10.213.1.1/24"],
    ["fma-dst", "fma-d1", "10.213.2.1/24"],
    ["fma-src", "fma-x1", "10.213.3.1/24"],
    ["fma-dst", "fma-x2", "10.213.3.2/24"],
  ] as const) {
    inNs(ns, ["addr", "add", addr, "dev", dev]);
    inNs(ns, ["link", "set", dev, "up"]);
  }
  inNs("fma-src", ["link", "set", "lo", "up"]);
  inNs("fma-dst", ["link", "set", "lo", "up"]);
}

export interface RunningAgent {
  url: string;
  linkUrl: string;
  child: TrackedChild;
  workDir: string;
}

export async function startAgent(which: "src" | "dst"): Promise<RunningAgent> {
  const h = HOSTS[which];
  const workDir = `/dev/shm/${h.ns}-agent`;
  rmSync(workDir, { recursive: true, force: true });
  const child = spawnChild(
    // nsenter, not `ip netns exec`: that remounts /sys, hiding the cgroup v1 hierarchies.
    "nsenter",
    [`--net=/run/netns/${h.ns}`, process.execPath, "bin/fleximigrate.js", "agent", "--node", h.ns, "--tier", "edge", "--listen", `0.0.0.0:${AGENT_PORT}`,
      "--advertise", `http://${h.onLink}:${AGENT_PORT}`, "--work-dir", workDir, "--allow-faults", ...TEST_ALLOW_FLAGS, "--insecure"],
    { cwd: ROOT },
  );
  await child.line((l) => l.includes('"listening"'), 60_000).catch(async (err: Error) => {
    await child.stop();
    throw new Error(`agent ${h.ns} did not start: ${err.message}`);
  });
  return { url: `http://${h.fromTest}:${AGENT_PORT}`, linkUrl: `http://${h.onLink}:${AGENT_PORT}`, child, workDir };
}

export async function stopAgent(a: RunningAgent | undefined): Promise<void> {
  if (!a) return;
  await a.child.stop(10_000);
  rmSync(a.workDir, { recursive: true, force: true });
}
