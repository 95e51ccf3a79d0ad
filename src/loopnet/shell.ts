// The thin SHELL over a plan: runs its commands, reads back what OVS made
// (dpids, OpenFlow port numbers) and checks them against the plan, and removes
// everything by exact name. `cleanLeftovers` finds a crashed run's objects by
// the naming scheme alone.
import { bridgeMatcher, linkMatcher, netnsMatcher } from "./names.js";
import { execRunner, type Runner } from "./run.js";
import type { LoopnetPlan, PortEnd } from "./types.js";
import { LoopnetError } from "./validate.js";

/** What the host holds after `applyPlan`, as read back from OVS. */
export interface LoopnetMade {
  prefix: string;
  mode: LoopnetPlan["mode"];
  bridges: Array<{ node: string; site: string; name: string; dpid: string }>;
  links: Array<{ kind: "site" | "vxlan"; a: PortEnd; b: PortEnd }>;
  devices: Array<{ site: string; netns: string; address: string; port: PortEnd }>;
  gateway: { address: string; port: PortEnd };
}

const show = (argv: string[]) => argv.join(" ");
const unquote = (s: string) => s.trim().replace(/^"|"$/g, "");

/** Runs the plan; on a failure removes what was made and throws with the failed command and its stderr. */
export async function applyPlan(plan: LoopnetPlan, run: Runner = execRunner): Promise<LoopnetMade> {
  for (const argv of plan.commands) {
    const r = await run(argv);
    if (r.code !== 0) {
      await removePlan(plan, run).catch(() => undefined);
      const hint = /exists|File exists/i.test(r.stderr) ? ` (leftovers of an earlier run? remove them with clean('${plan.prefix}'))` : "";
      throw new LoopnetError(`loopnet: '${show(argv)}' failed: ${r.stderr.trim() || `exit ${r.code}`}${hint}`);
    }
  }
  try {
    return await readBack(plan, run);
  } catch (err) {
    await removePlan(plan, run).catch(() => undefined);
    throw err;
  }
}

async function ovsGet(run: Runner, table: string, record: string, column: string): Promise<string> {
  const r = await run(["ovs-vsctl", "get", table, record, column]);
  if (r.code !== 0) throw new LoopnetError(`loopnet: cannot read ${table} ${record} ${column}: ${r.stderr.trim()}`);
  return unquote(r.stdout);
}

async function readBack(plan: LoopnetPlan, run: Runner): Promise<LoopnetMade> {
  const bridges = [];
  for (const b of plan.bridges) {
    const dpid = await ovsGet(run, "Bridge", b.name, "datapath_id");
    if (dpid !== b.dpid) throw new LoopnetError(`loopnet: bridge ${b.name} has dpid ${dpid}, the plan asked ${b.dpid}`);
    bridges.push({ node: b.node, site: b.site, name: b.name, dpid });
  }
  const check = async (e: PortEnd): Promise<PortEnd> => {
    const ofport = Number(await ovsGet(run, "Interface", e.port, "ofport"));
    if (ofport !== e.ofport) throw new LoopnetError(`loopnet: port ${e.port} of ${e.bridge} is OpenFlow port ${ofport}, the plan asked ${e.ofport}`);
    return e;
  };
  const links = [];
  for (const l of plan.links) links.push({ kind: l.kind, a: await check(l.a), b: await check(l.b) });
  const devices = [];
  for (const d of plan.devices) devices.push({ site: d.site, netns: d.netns, address: d.address, port: await check(d.port) });
  return { prefix: plan.prefix, mode: plan.mode, bridges, links, devices, gateway: { address: plan.gateway.address, port: await check(plan.gateway.port) } };
}

/** What the host holds now under our naming scheme for `prefix`. */
export async function listOurs(prefix: string, run: Runner = execRunner): Promise<{ bridges: string[]; links: string[]; netns: string[] }> {
  const br = await run(["ovs-vsctl", "list-br"]);
  const links = await run(["ip", "-o", "link", "show"]);
  const ns = await run(["ip", "netns", "list"]);
  for (const [what, r] of [["ovs-vsctl list-br", br], ["ip link", links], ["ip netns", ns]] as const) {
    if (r.code !== 0) throw new LoopnetError(`loopnet: ${what} failed: ${r.stderr.trim()}`);
  }
  const linkNames = links.stdout
    .split("\n")
    .map((line) => /^\d+:\s+([^:@\s]+)/.exec(line)?.[1])
    .filter((n): n is string => n !== undefined);
  return {
    bridges: br.stdout.split("\n").map((s) => s.trim()).filter((n) => bridgeMatcher(prefix).test(n)),
    links: linkNames.filter((n) => linkMatcher(prefix).test(n)),
    netns: ns.stdout.split("\n").map((s) => s.trim().split(/\s+/)[0] ?? "").filter((n) => netnsMatcher(prefix).test(n)),
  };
}

/** Removes every object of the plan (missing ones count as removed), then checks none of its names is left. */
export async function removePlan(plan: LoopnetPlan, run: Runner = execRunner): Promise<void> {
  for (const argv of plan.removal) await run(argv);
  const left = await listOurs(plan.prefix, run);
  const planned = new Set(plan.objects.flatMap((o) => o.names));
  const stuck = [...left.bridges, ...left.links, ...left.netns].filter((n) => planned.has(n));
  if (stuck.length) throw new LoopnetError(`loopnet: could not remove ${stuck.join(", ")}`);
}

/** Removes whatever our naming scheme for `prefix` finds (a crashed run's leftovers); returns the names removed. */
export async function cleanLeftovers(prefix: string, run: Runner = execRunner): Promise<string[]> {
  const found = await listOurs(prefix, run);
  for (const b of found.bridges) await run(["ovs-vsctl", "--if-exists", "del-br", b]);
  const afterBridges = await listOurs(prefix, run);
  for (const l of afterBridges.links) await run(["ip", "link", "del", l]);
  for (const n of found.netns) await run(["ip", "netns", "del", n]);
  const left = await listOurs(prefix, run);
  const rest = [...left.bridges, ...left.links, ...left.netns];
  if (rest.length) throw new LoopnetError(`loopnet: could not remove ${rest.join(", ")}`);
  return [...found.bridges, ...found.links.filter((l) => !found.bridges.includes(l)), ...found.netns];
}
