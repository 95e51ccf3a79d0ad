// The testbed's PLAN, pure: from the definition to every host object (names,
// dpids, OpenFlow port numbers, addresses), the ordered commands that make
// them, the commands that remove them, and the WAN relays to start. It has the
// shape of a loopnet plan (src/loopnet), so the closed loop's harness
// (src/demo/loop-cluster.ts) applies and removes it as it does its own.
//
// Shape (as mininet/topos.py's 'fleximigrate' topo, same names and addresses):
// one OVS switch per site (user-space datapath, OpenFlow 1.3, fail-mode
// secure); each node an agent host (a network namespace on its site's switch);
// device hosts at edge sites; a gateway port for the root namespace; each edge
// site joined to the cloud site by kernel VXLAN devices whose UDP goes through
// the WAN link's relay namespace (delay in user space, bandwidth by tbf).
import { fromTop, parseCidr } from "../loopnet/addresses.js";
import { dpidOf } from "../loopnet/plan.js";
import type { HostObject, LoopnetPlan, PlannedBridge, PlannedDevice, PlannedLink, PortEnd } from "../loopnet/types.js";
import type { TestbedDefinition, WanSpec } from "./definition.js";

export const PREFIX_RE = /^[a-z][a-z0-9]{1,3}$/;
const IFNAME_MAX = 15;
const UNDERLAY_MTU = "1600";
const VNI_BASE = 4200;

export const testbedNames = {
  switch: (p: string, i: number) => `${p}-s${i}`,
  host: (p: string, k: number) => `${p}-h${k}`,
  hostPort: (p: string, k: number) => `${p}-h${k}p`,
  device: (p: string, k: number) => `${p}-d${k}`,
  devicePort: (p: string, k: number) => `${p}-d${k}p`,
  gateway: (p: string) => `${p}-gw`,
  siteGateway: (p: string, i: number) => `${p}-g${i}`,
  wan: (p: string, k: number) => ({
    ua: `${p}-u${k}a`,
    ub: `${p}-u${k}b`,
    relay: `${p}-r${k}`,
    wa: `${p}-w${k}a`,
    wb: `${p}-w${k}b`,
    qa: `${p}-q${k}a`,
    qb: `${p}-q${k}b`,
    xa: `${p}-x${k}a`,
    xb: `${p}-x${k}b`,
  }),
};

/** Underlay of WAN link k: edge side 192.168.(80+k).0/30, cloud side 192.168.(90+k).0/30, the relay at .2 of both. */
export const wanAddresses = (k: number) => ({ ua: `192.168.${80 + k}.1`, ra: `192.168.${80 + k}.2`, ub: `192.168.${90 + k}.1`, rb: `192.168.${90 + k}.2` });

export interface PlannedHost {
  node: string;
  site: string;
  tier: "edge" | "cloud";
  cpus: number;
  netns: string;
  /** Without prefix length. */
  ip: string;
  mac: string;
  port: PortEnd;
}

export interface PlannedRelay {
  link: number;
  site: string;
  netns: string;
  /** `fleximigrate testbed relay ...` arguments. */
  args: string[];
}

/** The root namespace's port on a site's switch (the management path to its agents, never across the WAN). */
export interface SiteGateway {
  site: string;
  port: PortEnd;
  /** Without prefix length. */
  ip: string;
}

export interface TestbedPlan extends LoopnetPlan {
  siteGateways: SiteGateway[];
  hosts: PlannedHost[];
  relays: PlannedRelay[];
  wan: WanSpec;
  /** Every network namespace of the plan, for the state file and `clean`. */
  netns: string[];
}

export interface TestbedInput {
  prefix: string;
  definition: TestbedDefinition;
  controllerPort: number;
  rootNetnsPid: number;
  /** Overrides the definition's WAN. */
  wan?: Partial<WanSpec>;
}

const mac = (kind: number, k: number) => `02:fa:00:00:${kind.toString(16).padStart(2, "0")}:${k.toString(16).padStart(2, "0")}`;
const bare = (withLength: string) => withLength.split("/")[0]!;

/** tbf's burst: at least 16 kB, else 4 ms at the rate (tbf needs room for a few frames). */
export function tbfBurstBytes(mbit: number): number {
  return Math.max(16_000, Math.round((mbit * 1e6) / 8 / 250));
}

export function planTestbed(input: TestbedInput): TestbedPlan {
  const p = input.prefix;
  if (!PREFIX_RE.test(p)) throw new Error(`testbed: prefix '${p}' must be 2-4 characters: a lower-case letter, then letters or digits`);
  const def = input.definition;
  const wan: WanSpec = { ...def.wan, ...input.wan };
  const cidr = parseCidr(def.serviceCidr)!;
  const len = `/${cidr.length}`;
  const controller = `tcp:127.0.0.1:${input.controllerPort}`;
  const commands: string[][] = [];
  const objects: HostObject[] = [];
  const netnsList: string[] = [];
  const nextOfport = new Map<string, number>();
  const end = (bridge: string, node: string, port: string): PortEnd => {
    const ofport = (nextOfport.get(bridge) ?? 0) + 1;
    nextOfport.set(bridge, ofport);
    return { node, bridge, port, ofport };
  };
  const addPort = (e: PortEnd, ...settings: string[]) => ["--", "add-port", e.bridge, e.port, "--", "set", "Interface", e.port, `ofport_request=${e.ofport}`, ...settings];
  const netns = (name: string) => {
    commands.push(["ip", "netns", "add", name], ["ip", "-n", name, "link", "set", "lo", "up"]);
    objects.push({ kind: "netns", name, names: [name], remove: ["ip", "netns", "del", name] });
    netnsList.push(name);
  };
  const inNs = (ns: string, ...args: string[]) => ["ip", "-n", ns, ...args];

  // One switch per site.
  const switchOf = new Map<string, { name: string; dpid: string; node: string }>();
  def.sites.forEach((site, i) => {
    const name = testbedNames.switch(p, i + 1);
    const dpid = dpidOf(p, i);
    switchOf.set(site.name, { name, dpid, node: site.nodes[0]!.name });
    commands.push([
      "ovs-vsctl",
      ...["add-br", name, "--", "set", "Bridge", name, "datapath_type=netdev", "protocols=OpenFlow13", "fail-mode=secure", `other-config:datapath-id=${dpid}`],
      ...["--", "set-controller", name, controller],
    ]);
    objects.push({ kind: "bridge", name, names: [name], remove: ["ovs-vsctl", "--if-exists", "del-br", name] });
  });
  // A node's bridge is its site's switch: two nodes of a site share it.
  const bridges: PlannedBridge[] = def.sites.flatMap((site) => site.nodes.map((n) => ({ node: n.name, site: site.name, tier: site.tier, name: switchOf.get(site.name)!.name, dpid: switchOf.get(site.name)!.dpid })));

  // A veth from a namespace's eth0 to its site's switch; offload off (the user-space datapath leaves checksums unfilled).
  const attach = (ns: string, rootEnd: PortEnd, address: string, macAddress: string) => {
    netns(ns);
    commands.push(["ip", "link", "add", rootEnd.port, "type", "veth", "peer", "name", "eth0", "netns", ns]);
    commands.push(["ip", "link", "set", rootEnd.port, "up"]);
    commands.push(inNs(ns, "link", "set", "eth0", "address", macAddress), inNs(ns, "addr", "add", address, "dev", "eth0"), inNs(ns, "link", "set", "eth0", "up"));
    commands.push(["ip", "netns", "exec", ns, "ethtool", "-K", "eth0", "tx", "off"]);
    commands.push(["ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1"]);
    commands.push(["ovs-vsctl", ...addPort(rootEnd)]);
    objects.push({ kind: "veth", name: rootEnd.port, names: [rootEnd.port], remove: ["ip", "link", "del", rootEnd.port] });
  };

  // Agent hosts (10.144.254.k for a /16) and device hosts (10.144.255.k), numbered across sites as topos.py does.
  const hosts: PlannedHost[] = [];
  const devices: PlannedDevice[] = [];
  let hostNo = 0;
  let devNo = 0;
  for (const site of def.sites) {
    const sw = switchOf.get(site.name)!;
    for (const n of site.nodes) {
      hostNo++;
      const ns = testbedNames.host(p, hostNo);
      const address = fromTop(cidr, 511 - hostNo) + len;
      const port = end(sw.name, n.name, testbedNames.hostPort(p, hostNo));
      attach(ns, port, address, mac(1, hostNo));
      hosts.push({ node: n.name, site: site.name, tier: site.tier, cpus: n.cpus, netns: ns, ip: bare(address), mac: mac(1, hostNo), port });
    }
    for (let i = 0; i < site.devices; i++) {
      devNo++;
      const ns = testbedNames.device(p, devNo);
      const address = fromTop(cidr, 255 - devNo) + len;
      const port = end(sw.name, sw.node, testbedNames.devicePort(p, devNo));
      attach(ns, port, address, mac(2, devNo));
      devices.push({ site: site.name, netns: ns, iface: "eth0", address, port });
    }
  }

  // WAN links: each edge site to the cloud, through a relay namespace.
  const cloud = def.sites.find((s) => s.tier === "cloud")!;
  const links: PlannedLink[] = [];
  const relays: PlannedRelay[] = [];
  def.sites
    .filter((s) => s.tier === "edge")
    .forEach((site, i) => {
      const k = i + 1;
      const n = testbedNames.wan(p, k);
      const a = wanAddresses(k);
      for (const ns of [n.ua, n.ub, n.relay]) netns(ns);
      const ea = end(switchOf.get(site.name)!.name, switchOf.get(site.name)!.node, n.xa);
      const eb = end(switchOf.get(cloud.name)!.name, switchOf.get(cloud.name)!.node, n.xb);
      for (const [side, u, w, q, local, relayAddr, x] of [
        ["a", n.ua, n.wa, n.qa, a.ua, a.ra, n.xa],
        ["b", n.ub, n.wb, n.qb, a.ub, a.rb, n.xb],
      ] as const) {
        void side;
        commands.push(["ip", "link", "add", w, "netns", u, "mtu", UNDERLAY_MTU, "type", "veth", "peer", "name", q, "netns", n.relay, "mtu", UNDERLAY_MTU]);
        commands.push(inNs(u, "addr", "add", `${local}/30`, "dev", w), inNs(u, "link", "set", w, "up"));
        commands.push(inNs(n.relay, "addr", "add", `${relayAddr}/30`, "dev", q), inNs(n.relay, "link", "set", q, "up"));
        if (wan.bandwidthMbit > 0)
          commands.push(["ip", "netns", "exec", n.relay, "tc", "qdisc", "add", "dev", q, "root", "tbf", "rate", `${wan.bandwidthMbit}mbit`, "burst", String(tbfBurstBytes(wan.bandwidthMbit)), "latency", "100ms"]);
        commands.push(inNs(u, "link", "add", x, "type", "vxlan", "id", String(VNI_BASE + k), "local", local, "remote", relayAddr, "dstport", "4789", "dev", w));
        commands.push(inNs(u, "link", "set", x, "netns", String(input.rootNetnsPid)), ["ip", "link", "set", x, "up"]);
        objects.push({ kind: "vxlan", name: x, names: [x], remove: ["ip", "link", "del", x] });
      }
      commands.push(["ovs-vsctl", ...addPort(ea), ...addPort(eb)]);
      links.push({ kind: "vxlan", sites: [site.name, cloud.name], vni: VNI_BASE + k, underlay: [n.ua, n.ub], a: ea, b: eb });
      relays.push({
        link: k,
        site: site.name,
        netns: n.relay,
        args: ["testbed", "relay", "--a", a.ra, "--a-peer", a.ua, "--b", a.rb, "--b-peer", a.ub, "--delay-ms", String(wan.delayMs), "--queue", String(wan.queueFrames)],
      });
    });

  // The root namespace's way in: an internal port of the first edge site's switch.
  const firstEdge = def.sites.find((s) => s.tier === "edge")!;
  const gwSwitch = switchOf.get(firstEdge.name)!;
  const gwPort = end(gwSwitch.name, gwSwitch.node, testbedNames.gateway(p));
  const gwAddress = fromTop(cidr, 1) + len;
  commands.push(["ovs-vsctl", ...addPort(gwPort, "type=internal")]);
  commands.push(["ip", "addr", "add", gwAddress, "dev", gwPort.port], ["ip", "link", "set", gwPort.port, "up"]);
  objects.push({ kind: "internal-port", name: gwPort.port, names: [gwPort.port], remove: ["ovs-vsctl", "--if-exists", "del-port", gwSwitch.name, gwPort.port] });

  // The other sites' management ports: a /32 each, with host routes to that site's agent hosts, so the
  // scheduler talks to every agent over its own site's switch (a WAN link taken down cuts no control traffic).
  // arp_ignore=1: each port answers ARP only for its own address (one L2 domain spans the sites).
  const siteGateways: SiteGateway[] = [{ site: firstEdge.name, port: gwPort, ip: bare(gwAddress) }];
  commands.push(["sysctl", "-q", "-w", `net.ipv4.conf.${gwPort.port}.arp_ignore=1`]);
  def.sites.forEach((site, i) => {
    if (site.name === firstEdge.name) return;
    const sw = switchOf.get(site.name)!;
    const port = end(sw.name, sw.node, testbedNames.siteGateway(p, i + 1));
    const ip = fromTop(cidr, 1 + siteGateways.length);
    commands.push(["ovs-vsctl", ...addPort(port, "type=internal")]);
    commands.push(["ip", "addr", "add", `${ip}/32`, "dev", port.port], ["sysctl", "-q", "-w", `net.ipv4.conf.${port.port}.arp_ignore=1`], ["ip", "link", "set", port.port, "up"]);
    for (const h of hosts.filter((x) => x.site === site.name)) commands.push(["ip", "route", "add", `${h.ip}/32`, "dev", port.port, "src", ip]);
    objects.push({ kind: "internal-port", name: port.port, names: [port.port], remove: ["ovs-vsctl", "--if-exists", "del-port", sw.name, port.port] });
    siteGateways.push({ site: site.name, port, ip });
  });

  for (const o of objects) for (const name of o.names) if (name.length > IFNAME_MAX) throw new Error(`testbed: name '${name}' is longer than ${IFNAME_MAX}`);
  const order: HostObject["kind"][] = ["internal-port", "bridge", "veth", "vxlan", "netns"];
  const removal = order.flatMap((kind) => objects.filter((o) => o.kind === kind).map((o) => o.remove));
  return {
    prefix: p,
    mode: "secure",
    controller,
    serviceCidr: def.serviceCidr,
    bridges,
    links,
    devices,
    gateway: { port: gwPort, address: gwAddress },
    objects,
    commands,
    removal,
    hosts,
    relays,
    siteGateways,
    wan,
    netns: netnsList,
  };
}

/**
 * The addresses beyond localhost each identity is reached on: an agent on its
 * host's site address (by the scheduler and by other agents), the scheduler on
 * every site's management port (by the agents). Keyed ROLE-NAME.
 */
export function testbedCertHosts(plan: Pick<TestbedPlan, "hosts" | "siteGateways">): Record<string, string[]> {
  const out: Record<string, string[]> = { "scheduler-scheduler": plan.siteGateways.map((g) => g.ip) };
  for (const h of plan.hosts) out[`agent-${h.node}`] = [h.ip];
  return out;
}
