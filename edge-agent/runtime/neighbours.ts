// A workload's neighbour (ARP) entries follow it: CRIU restores its sockets
// into a fresh namespace whose neighbour table is empty, so the first frame
// it sends after the resume (an answer, a retransmission) would wait for ARP,
// and a lost first ARP costs a second (the kernel's retransmit time). The
// source reads the resolved entries of the workload's namespace before the
// freeze; the destination writes them into its fenced namespace as STALE:
// used at once, then confirmed by the kernel's own unicast probe.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { Neighbour } from "../../src/api-types/agent.js";
import { INNER_IFNAME } from "./netns-names.js";

const run = promisify(execFile);

/** At most this many entries move (a workload talks to its gateway and a few peers on its subnet). */
export const MAX_NEIGHBOURS = 64;

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** Resolved IPv4 neighbours in `ip -j neigh` output (pure): entries with an address and a usable state. */
export function parseNeighbours(json: string): Neighbour[] {
  let rows: unknown;
  try {
    rows = JSON.parse(json || "[]");
  } catch {
    return [];
  }
  if (!Array.isArray(rows)) return [];
  const out: Neighbour[] = [];
  for (const r of rows as Array<Record<string, unknown>>) {
    const ip = r.dst;
    const mac = typeof r.lladdr === "string" ? r.lladdr.toLowerCase() : undefined;
    const states = Array.isArray(r.state) ? (r.state as unknown[]) : [];
    const usable = states.some((s) => s === "REACHABLE" || s === "STALE" || s === "DELAY" || s === "PROBE" || s === "PERMANENT");
    if (typeof ip === "string" && IPV4.test(ip) && mac && MAC.test(mac) && usable) out.push({ ip, mac });
    if (out.length >= MAX_NEIGHBOURS) break;
  }
  return out;
}

/** The resolved neighbours of the workload's namespace; none when it cannot tell (never throws). */
export async function readNeighbours(namespace: string): Promise<Neighbour[]> {
  try {
    const { stdout } = await run("ip", ["-n", namespace, "-4", "-j", "neigh", "show", "dev", INNER_IFNAME], { timeout: 5000 });
    return parseNeighbours(stdout);
  } catch {
    return [];
  }
}

/** Writes `entries` into the namespace as STALE; one batch (`ip -batch`), so one process. */
export async function writeNeighbours(namespace: string, entries: readonly Neighbour[]): Promise<void> {
  const lines = entries
    .slice(0, MAX_NEIGHBOURS)
    .filter((n) => IPV4.test(n.ip) && MAC.test(n.mac))
    .map((n) => `neigh replace ${n.ip} lladdr ${n.mac} dev ${INNER_IFNAME} nud stale`);
  if (lines.length === 0) return;
  await new Promise<void>((resolve, reject) => {
    const child = execFile("ip", ["-n", namespace, "-batch", "-"], { timeout: 5000 }, (err, _out, stderr) => (err ? reject(new Error(`ip -batch neigh: ${(stderr || err.message).trim()}`)) : resolve()));
    child.stdin?.end(`${lines.join("\n")}\n`);
  });
}
