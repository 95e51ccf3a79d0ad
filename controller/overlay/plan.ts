// Pure flow planning for site-to-site traffic over VXLAN tunnels. One site's
// bridge gets: local hosts delivered to their ports; addresses that live at
// another site (a subnet, or one migrated service's /32) sent into the
// tunnel to that site. ARP follows the same split by target address, so one
// L2 segment can span sites and a migrated service keeps its IP.
//
// API:
//   planSiteFlows({localHosts, remote, cookie?}) -> FlowSpec[]  (highest priority first)
//   toOfctlFlow(flow) -> "cookie=0x..,priority=..,ip,nw_dst=..,actions=output:N" for ovs-ofctl add-flow
// FlowSpec is codec-neutral; the controller turns it into OFPT_FLOW_MOD.
import { IPv4CidrRange, Validator } from "ip-num";

export const ETH_TYPE_IPV4 = 0x0800;
export const ETH_TYPE_ARP = 0x0806;
/** Local delivery beats tunnel routes, so a /32 that came back home wins over its site's subnet route. */
export const PRIORITY_LOCAL = 300;
export const PRIORITY_REMOTE_BASE = 200;
/** Owner 0xf1e4 in the controller's cookie scheme (controller/openflow/cookies.ts): "overlay". */
export const OVERLAY_COOKIE = 0xf1e4_0000_0000_0000n;

export interface FlowMatch {
  inPort?: number;
  ethType: number;
  /** IPv4 destination (ip flows) as address + prefix length. */
  ipv4Dst?: { address: string; prefix: number };
  /** ARP target protocol address (arp flows). */
  arpTpa?: { address: string; prefix: number };
}

export interface FlowSpec {
  priority: number;
  cookie: bigint;
  match: FlowMatch;
  actions: { output: number }[];
}

export interface SiteFlowInput {
  /** Hosts attached to this site's bridge. */
  localHosts: { ip: string; port: number }[];
  /** Address blocks ("10.1.0.0/24" or "10.1.0.7") that live at other sites, with the tunnel port to them. */
  remote: { prefix: string; tunnelPort: number }[];
  cookie?: bigint;
}

export function planSiteFlows(input: SiteFlowInput): FlowSpec[] {
  const cookie = input.cookie ?? OVERLAY_COOKIE;
  const flows: FlowSpec[] = [];
  for (const h of input.localHosts) {
    const dst = parsePrefix(h.ip);
    if (dst.prefix !== 32) throw new Error(`local host ${h.ip} must be a single address`);
    checkPort(h.port, `host ${h.ip}`);
    flows.push(...pair(PRIORITY_LOCAL, cookie, dst, h.port));
  }
  for (const r of input.remote) {
    const dst = parsePrefix(r.prefix);
    checkPort(r.tunnelPort, `tunnel for ${r.prefix}`);
    // Longer prefixes first: a migrated /32 overrides its home subnet.
    flows.push(...pair(PRIORITY_REMOTE_BASE + dst.prefix, cookie, dst, r.tunnelPort));
  }
  return flows.sort((a, b) => b.priority - a.priority);
}

function pair(priority: number, cookie: bigint, dst: { address: string; prefix: number }, port: number): FlowSpec[] {
  return [
    { priority, cookie, match: { ethType: ETH_TYPE_IPV4, ipv4Dst: dst }, actions: [{ output: port }] },
    { priority, cookie, match: { ethType: ETH_TYPE_ARP, arpTpa: dst }, actions: [{ output: port }] },
  ];
}

/** Accepts "a.b.c.d" (a /32) or a CIDR block whose address is the block's first. */
export function parsePrefix(text: string): { address: string; prefix: number } {
  if (!text.includes("/")) {
    if (!Validator.isValidIPv4String(text)[0]) throw new Error(`'${text}' is not an IPv4 address`);
    return { address: text, prefix: 32 };
  }
  const [ok, errors] = Validator.isValidIPv4CidrRange(text);
  if (!ok) throw new Error(`'${text}' is not an IPv4 CIDR block (${errors[0] ?? "invalid"})`);
  const range = IPv4CidrRange.fromCidr(text);
  return { address: range.getFirst().toString(), prefix: Number(range.cidrPrefix.getValue()) };
}

function checkPort(port: number, what: string): void {
  if (!Number.isInteger(port) || port < 1 || port > 0xffffff00) throw new Error(`${what}: port must be a physical OpenFlow port number, got ${port}`);
}

export function toOfctlFlow(f: FlowSpec): string {
  const parts = [`cookie=0x${f.cookie.toString(16)}`, `priority=${f.priority}`];
  if (f.match.inPort !== undefined) parts.push(`in_port=${f.match.inPort}`);
  if (f.match.ethType === ETH_TYPE_IPV4) parts.push("ip");
  else if (f.match.ethType === ETH_TYPE_ARP) parts.push("arp");
  else parts.push(`dl_type=0x${f.match.ethType.toString(16).padStart(4, "0")}`);
  if (f.match.ipv4Dst) parts.push(`nw_dst=${f.match.ipv4Dst.address}/${f.match.ipv4Dst.prefix}`);
  if (f.match.arpTpa) parts.push(`arp_tpa=${f.match.arpTpa.address}/${f.match.arpTpa.prefix}`);
  const actions = f.actions.map((a) => `output:${a.output}`).join(",");
  return `${parts.join(",")},actions=${actions || "drop"}`;
}
