// A workload's own network on this host: a network namespace whose eth0 (one
// end of a veth pair) holds the workload's IP and MAC, the other end a port of
// the agent's Open vSwitch bridge. Everything is made and removed by exact
// name (netns-names.ts); a failed make leaves nothing behind.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import type { WorkloadNetworkInput, WorkloadNetworkView } from "../../src/api-types/agent.js";
import { INNER_IFNAME, networkNames } from "./netns-names.js";

const run = promisify(execFile);

async function sh(cmd: string, args: string[]): Promise<string> {
  try {
    return (await run(cmd, args, { timeout: 15_000 })).stdout.trim();
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(" ")}: ${(e.stderr || e.message).trim().split("\n").pop()}`);
  }
}
const quiet = (cmd: string, args: string[]) => sh(cmd, args).then(() => undefined, () => undefined);

/** Path nsenter and CRIU use for a namespace: `nsenter --net=` (not `ip netns exec`, whose mount namespace CRIU refuses). */
export const netnsPath = (namespace: string) => `/run/netns/${namespace}`;

/** The bridge's datapath id, 16 hex digits; null when OVS has none (yet). */
export async function bridgeDpid(bridge: string): Promise<string | null> {
  const raw = await sh("ovs-vsctl", ["--timeout=5", "get", "Bridge", bridge, "datapath_id"]);
  const dpid = raw.replace(/"/g, "");
  return /^[0-9a-f]{16}$/.test(dpid) ? dpid : null;
}

/** OpenFlow port number of `port`; null until OVS assigned one. */
export async function ofportOf(port: string): Promise<number | null> {
  for (let i = 0; i < 50; i++) {
    const n = Number(await sh("ovs-vsctl", ["--timeout=5", "get", "Interface", port, "ofport"]).catch(() => "-1"));
    if (Number.isInteger(n) && n > 0) return n;
    await new Promise((r) => setTimeout(r, 20));
  }
  return null;
}

export interface MakeNetwork {
  node: string;
  workloadId: string;
  bridge: string;
  net: WorkloadNetworkInput;
  /**
   * Leave the bridge's end down: the namespace exists but no frame passes
   * (a destination restores into it before it may take the address over).
   */
  fenced?: boolean;
}

/** Makes the namespace, veth, addresses and bridge port; undoes all of it when a step fails. */
export async function makeWorkloadNetwork(m: MakeNetwork): Promise<WorkloadNetworkView> {
  const names = networkNames(m.node, m.workloadId);
  const { namespace, port, peer } = names;
  const inNs = (args: string[]) => sh("ip", ["-n", namespace, ...args]);
  // Leftovers of a crash under the same names would make every step below fail.
  await dropWorkloadNetwork({ namespace, port, bridge: m.bridge });
  try {
    await sh("ip", ["netns", "add", namespace]);
    await sh("ip", ["link", "add", port, "type", "veth", "peer", "name", peer, "netns", namespace]);
    // No IPv6 inside: its autoconfiguration would send frames from the workload's MAC on its own,
    // moving the bridges' MAC learning to a copy that must not take the address yet.
    await sh("nsenter", [`--net=${netnsPath(namespace)}`, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"]);
    await inNs(["link", "set", peer, "name", INNER_IFNAME]);
    await inNs(["link", "set", INNER_IFNAME, "address", m.net.mac]);
    await inNs(["addr", "add", `${m.net.ip}/${m.net.prefixLen}`, "dev", INNER_IFNAME]);
    await inNs(["link", "set", "lo", "up"]);
    // OVS's user-space datapath forwards veth frames as they are: a checksum left to offload
    // never gets filled in, and TCP (not ping) to the workload fails. The namespace computes it.
    await sh("nsenter", [`--net=${netnsPath(namespace)}`, "ethtool", "-K", INNER_IFNAME, "tx", "off"]);
    await inNs(["link", "set", INNER_IFNAME, "up"]);
    if (m.net.gateway) await inNs(["route", "add", "default", "via", m.net.gateway]);
    await sh("ovs-vsctl", ["--timeout=10", "add-port", m.bridge, port, "--", "set", "Interface", port, `external_ids:fleximigrate-workload=${m.workloadId}`]);
    if (!m.fenced) await sh("ip", ["link", "set", port, "up"]);
    else armAnnounce({ namespace, ip: m.net.ip, mac: m.net.mac });
    const [ofport, dpid] = await Promise.all([ofportOf(port), bridgeDpid(m.bridge)]);
    return { ...m.net, namespace, bridge: m.bridge, port, ofport, dpid };
  } catch (err) {
    await dropWorkloadNetwork({ namespace, port, bridge: m.bridge });
    throw err;
  }
}

/** Removes the bridge port, the veth pair and the namespace, each by exact name; absent ones are fine. */
export async function dropWorkloadNetwork(n: Pick<WorkloadNetworkView, "namespace" | "port" | "bridge">): Promise<void> {
  disarmAnnounce(n.namespace);
  await quiet("ovs-vsctl", ["--timeout=10", "--if-exists", "del-port", n.bridge, n.port]);
  await quiet("ip", ["link", "del", n.port]);
  await quiet("ip", ["netns", "del", n.namespace]);
}

/** Opens (up) or fences (down) the workload's bridge port: while down no frame reaches its namespace, nor leaves it. */
export async function setPortUp(port: string, up: boolean): Promise<void> {
  await sh("ip", ["link", "set", port, up ? "up" : "down"]);
}

// A gratuitous ARP from eth0: the bridges learn where the MAC now is, and neighbours refresh the address.
// Armed (ARMED=1), it starts and opens its socket at once, then waits for a line on stdin before it sends.
const GARP = `
import os, socket, sys
ip, mac = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", ""))
if os.environ.get("ARMED") == "1" and not sys.stdin.readline():
    sys.exit(0)
a = socket.inet_aton(ip)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("${INNER_IFNAME}", 0))
arp = b"\\x00\\x01\\x08\\x00\\x06\\x04\\x00\\x01" + mac + a + b"\\x00" * 6 + a
for _ in range(2):
    s.send(b"\\xff" * 6 + mac + b"\\x08\\x06" + arp + b"\\x00" * 18)
`;

/**
 * A fenced namespace (a destination waiting for its tree) gets its announcer
 * started in advance, waiting: Python's start (tens of ms) then happens
 * before the source freezes, not while the workload is down.
 */
const armed = new Map<string, { child: ChildProcess; exited: Promise<number | null>; ip: string; mac: string }>();

function armAnnounce(n: Pick<WorkloadNetworkView, "namespace" | "ip" | "mac">): void {
  disarmAnnounce(n.namespace);
  const child = spawn("nsenter", [`--net=${netnsPath(n.namespace)}`, "/usr/bin/python3", "-c", GARP, n.ip, n.mac], {
    stdio: ["pipe", "ignore", "ignore"],
    env: { ...process.env, ARMED: "1" },
  });
  child.stdin?.on("error", () => {});
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.once("error", () => resolve(-1));
  });
  armed.set(n.namespace, { child, exited, ip: n.ip, mac: n.mac });
}

function disarmAnnounce(namespace: string): void {
  const a = armed.get(namespace);
  if (!a) return;
  armed.delete(namespace);
  // Ends it by its own PID (a closed stdin alone would do; the kill covers a stuck start).
  a.child.stdin?.end();
  if (a.child.exitCode === null && a.child.signalCode === null) a.child.kill("SIGKILL");
}

/** Tells the network the workload's address now lives here (two gratuitous ARPs from its namespace). */
export async function announce(n: Pick<WorkloadNetworkView, "namespace" | "ip" | "mac">): Promise<void> {
  const a = armed.get(n.namespace);
  armed.delete(n.namespace);
  if (a && a.ip === n.ip && a.mac === n.mac && a.child.exitCode === null) {
    a.child.stdin?.end("go\n");
    if ((await a.exited) === 0) return;
  } else if (a) a.child.kill("SIGKILL");
  await sh("nsenter", [`--net=${netnsPath(n.namespace)}`, "/usr/bin/python3", "-c", GARP, n.ip, n.mac]);
}
