// The PLAN: from nodes and sites to the exact host objects and the ordered
// ip/ovs-vsctl commands that make them, with nothing run. Pure, so every name,
// datapath id and OpenFlow port number is known (and testable) beforehand.
//
// Shape: one OVS bridge per node (user-space datapath). Inside a site the
// first node's bridge (the site's anchor) is joined to each other bridge of the
// site by a veth pair. Each other site's anchor is joined to the hub site's
// anchor (the first site with a cloud node, else the first site) by VXLAN.
// The result is a tree: in standalone mode OVS floods without STP, so a loop
// would storm; the controller needs no loop to forward either.
import { fromTop, parseCidr } from "./addresses.js";
import { DEVICE_IFACE, IFNAME_MAX, names } from "./names.js";
import type { HostObject, LoopnetInput, LoopnetNode, LoopnetPlan, PlannedBridge, PlannedDevice, PlannedLink, PortEnd } from "./types.js";
import { DEFAULT_SERVICE_CIDR, LoopnetError, validateInput } from "./validate.js";

const UNDERLAY = ["192.168.77.1", "192.168.77.2"] as const;
/** The underlay carries VXLAN's 50 bytes of headers on top of full 1500-byte frames. */
const UNDERLAY_MTU = 1600;
const VNI_BASE = 1000;

/** FNV-1a of the prefix: the dpids' high half, so two prefixes' bridges never share a dpid. */
function prefixHash(prefix: string): number {
  let h = 0x811c9dc5;
  for (const c of prefix) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

export function dpidOf(prefix: string, index: number): string {
  return prefixHash(prefix).toString(16).padStart(8, "0") + (index + 1).toString(16).padStart(8, "0");
}

export function planLoopnet(input: LoopnetInput): LoopnetPlan {
  validateInput(input);
  const p = input.prefix;
  const cidrText = input.serviceCidr ?? DEFAULT_SERVICE_CIDR;
  const cidr = parseCidr(cidrText)!;
  const mode = input.controllerPort === undefined ? "standalone" : "secure";
  const controller = input.controllerPort === undefined ? null : `tcp:127.0.0.1:${input.controllerPort}`;
  const commands: string[][] = [];
  const objects: HostObject[] = [];
  const nextOfport = new Map<string, number>();
  const end = (bridge: PlannedBridge, port: string): PortEnd => {
    const ofport = (nextOfport.get(bridge.name) ?? 0) + 1;
    nextOfport.set(bridge.name, ofport);
    return { node: bridge.node, bridge: bridge.name, port, ofport };
  };
  const addPort = (e: PortEnd, ...settings: string[]) => ["--", "add-port", e.bridge, e.port, "--", "set", "Interface", e.port, `ofport_request=${e.ofport}`, ...settings];
  const ipNs = (ns: string, ...args: string[]) => ["ip", "-n", ns, ...args];
  const netns = (name: string) => {
    commands.push(["ip", "netns", "add", name]);
    objects.push({ kind: "netns", name, names: [name], remove: ["ip", "netns", "del", name] });
  };

  // Bridges.
  const bridges: PlannedBridge[] = input.nodes.map((n: LoopnetNode, i) => ({ node: n.name, site: n.site, tier: n.tier, name: names.bridge(p, i), dpid: dpidOf(p, i) }));
  for (const b of bridges) {
    const cmd = ["ovs-vsctl", "add-br", b.name, "--", "set", "Bridge", b.name, "datapath_type=netdev", "protocols=OpenFlow13", `fail-mode=${mode}`, `other-config:datapath-id=${b.dpid}`];
    if (controller) cmd.push("--", "set-controller", b.name, controller);
    commands.push(cmd);
    objects.push({ kind: "bridge", name: b.name, names: [b.name], remove: ["ovs-vsctl", "--if-exists", "del-br", b.name] });
  }

  // Sites, in order of first appearance; each one's anchor is its first bridge.
  const sites = [...new Set(input.nodes.map((n) => n.site))];
  const anchor = new Map(sites.map((s) => [s, bridges.find((b) => b.site === s)!]));
  const links: PlannedLink[] = [];

  // Same-site veth pairs: every other bridge of a site to its anchor.
  let s = 0;
  for (const b of bridges) {
    const a = anchor.get(b.site)!;
    if (a === b) continue;
    const ea = end(a, names.siteVeth(p, s, "a"));
    const eb = end(b, names.siteVeth(p, s, "b"));
    commands.push(["ip", "link", "add", ea.port, "type", "veth", "peer", "name", eb.port]);
    commands.push(["ip", "link", "set", ea.port, "up"], ["ip", "link", "set", eb.port, "up"]);
    commands.push(["ovs-vsctl", ...addPort(ea), ...addPort(eb)]);
    objects.push({ kind: "veth", name: ea.port, names: [ea.port, eb.port], remove: ["ip", "link", "del", ea.port] });
    links.push({ kind: "site", site: b.site, a: ea, b: eb });
    s++;
  }

  // VXLAN between sites: kernel devices whose UDP sockets live in two private
  // namespaces joined by a veth (the underlay), moved to the root namespace as
  // OVS ports; the user-space datapath cannot terminate VXLAN between two
  // bridges of one host (mininet/topos.py's make_vxlan_underlay).
  const hub = sites.find((site) => input.nodes.some((n) => n.site === site && n.tier === "cloud")) ?? sites[0]!;
  let x = 0;
  for (const site of sites) {
    if (site === hub) continue;
    const [ua, ub] = [names.underlayNs(p, x, "a"), names.underlayNs(p, x, "b")];
    const [wa, wb] = [names.underlayVeth(p, x, "a"), names.underlayVeth(p, x, "b")];
    const ea = end(anchor.get(site)!, names.vxlan(p, x, "a"));
    const eb = end(anchor.get(hub)!, names.vxlan(p, x, "b"));
    const vni = VNI_BASE + x;
    netns(ua);
    netns(ub);
    commands.push(["ip", "link", "add", wa, "netns", ua, "type", "veth", "peer", "name", wb, "netns", ub]);
    for (const [ns, w, local, remote, dev] of [
      [ua, wa, UNDERLAY[0], UNDERLAY[1], ea.port],
      [ub, wb, UNDERLAY[1], UNDERLAY[0], eb.port],
    ] as const) {
      commands.push(ipNs(ns, "addr", "add", `${local}/30`, "dev", w));
      commands.push(ipNs(ns, "link", "set", w, "mtu", String(UNDERLAY_MTU), "up"), ipNs(ns, "link", "set", "lo", "up"));
      commands.push(ipNs(ns, "link", "add", dev, "type", "vxlan", "id", String(vni), "local", local, "remote", remote, "dstport", "4789", "dev", w));
      commands.push(ipNs(ns, "link", "set", dev, "netns", String(input.rootNetnsPid)));
      commands.push(["ip", "link", "set", dev, "mtu", "1500", "up"]);
      objects.push({ kind: "vxlan", name: dev, names: [dev], remove: ["ip", "link", "del", dev] });
    }
    commands.push(["ovs-vsctl", ...addPort(ea), ...addPort(eb)]);
    links.push({ kind: "vxlan", sites: [site, hub], vni, underlay: [ua, ub], a: ea, b: eb });
    x++;
  }

  // Device namespaces, one per device site, on the site's anchor bridge.
  const deviceSites = input.deviceSites ?? sites.filter((site) => input.nodes.some((n) => n.site === site && n.tier === "edge"));
  const prefixLength = `/${cidr.length}`;
  const devices: PlannedDevice[] = deviceSites.map((site, i) => {
    const ns = names.deviceNs(p, site);
    const port = end(anchor.get(site)!, names.deviceVeth(p, i));
    const address = fromTop(cidr, 254 - i) + prefixLength;
    netns(ns);
    commands.push(["ip", "link", "add", port.port, "type", "veth", "peer", "name", DEVICE_IFACE, "netns", ns]);
    commands.push(["ip", "link", "set", port.port, "up"]);
    commands.push(ipNs(ns, "addr", "add", address, "dev", DEVICE_IFACE));
    commands.push(ipNs(ns, "link", "set", DEVICE_IFACE, "up"), ipNs(ns, "link", "set", "lo", "up"));
    // The user-space datapath forwards a veth's frames as they are: with
    // checksum offload on, TCP segments leave with no checksum and are dropped.
    commands.push(["ip", "netns", "exec", ns, "ethtool", "-K", DEVICE_IFACE, "tx", "off"]);
    commands.push(["ovs-vsctl", ...addPort(port)]);
    objects.push({ kind: "veth", name: port.port, names: [port.port], remove: ["ip", "link", "del", port.port] });
    return { site, netns: ns, iface: DEVICE_IFACE, address, port };
  });

  // The root namespace's way in, "from the device side": an internal port of the first edge bridge.
  const gwBridge = bridges.find((b) => b.tier === "edge") ?? bridges[0]!;
  const gwPort = end(gwBridge, names.gateway(p));
  const gwAddress = fromTop(cidr, 1) + prefixLength;
  commands.push(["ovs-vsctl", ...addPort(gwPort, "type=internal")]);
  commands.push(["ip", "addr", "add", gwAddress, "dev", gwPort.port], ["ip", "link", "set", gwPort.port, "up"]);
  objects.push({ kind: "internal-port", name: gwPort.port, names: [gwPort.port], remove: ["ovs-vsctl", "--if-exists", "del-port", gwBridge.name, gwPort.port] });

  for (const o of objects) for (const n of o.names) if (o.kind !== "netns" && n.length > IFNAME_MAX) throw new LoopnetError(`loopnet: interface name '${n}' is longer than ${IFNAME_MAX}`);
  const order: HostObject["kind"][] = ["internal-port", "bridge", "veth", "vxlan", "netns"];
  const removal = order.flatMap((kind) => objects.filter((o) => o.kind === kind).map((o) => o.remove));
  return { prefix: p, mode, controller, serviceCidr: cidrText, bridges, links, devices, gateway: { port: gwPort, address: gwAddress }, objects, commands, removal };
}
