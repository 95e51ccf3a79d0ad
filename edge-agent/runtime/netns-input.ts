// Checks of a workload's network request the JSON schema cannot make: octet
// ranges, a unicast MAC, a gateway inside the subnet. Pure; each message names
// the field, for a 400.
import type { WorkloadNetworkInput } from "../../src/api-types/agent.js";

export const IPV4_PATTERN = "^(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})$";
export const MAC_PATTERN = "^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$";

/** The JSON schema of WorkloadInput.network. */
export const networkSchema = {
  type: "object",
  additionalProperties: false,
  required: ["ip", "prefixLen", "mac"],
  properties: {
    ip: { type: "string", pattern: IPV4_PATTERN },
    prefixLen: { type: "integer", minimum: 1, maximum: 32 },
    mac: { type: "string", pattern: MAC_PATTERN },
    gateway: { type: "string", pattern: IPV4_PATTERN },
  },
} as const;

/** The address as a 32-bit number; undefined when it is no dotted IPv4 address. */
export function ipv4ToInt(ip: string): number | undefined {
  const m = new RegExp(IPV4_PATTERN).exec(ip);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return octets.reduce((n, o) => n * 256 + o, 0);
}

/** Why `net` cannot be a workload's network (field path first), or null when it can. */
export function networkProblem(net: WorkloadNetworkInput): string | null {
  const ip = ipv4ToInt(net.ip);
  if (ip === undefined) return `network/ip: '${net.ip}' is not an IPv4 address`;
  if (!Number.isInteger(net.prefixLen) || net.prefixLen < 1 || net.prefixLen > 32) return `network/prefixLen: ${net.prefixLen} is not within 1..32`;
  const first = ip >>> 24;
  if (first === 0 || first === 127 || first >= 224) return `network/ip: ${net.ip} is not a unicast host address`;
  const mask = net.prefixLen === 32 ? 0xffffffff : (0xffffffff << (32 - net.prefixLen)) >>> 0;
  const hostBits = (ip & ~mask) >>> 0;
  if (net.prefixLen <= 30 && (hostBits === 0 || hostBits === (~mask >>> 0))) return `network/ip: ${net.ip} is the network or broadcast address of /${net.prefixLen}`;
  if (!new RegExp(MAC_PATTERN).test(net.mac)) return `network/mac: '${net.mac}' is not a MAC address (xx:xx:xx:xx:xx:xx)`;
  const mac0 = Number.parseInt(net.mac.slice(0, 2), 16);
  if (mac0 & 1) return `network/mac: ${net.mac} is a multicast address; a host needs a unicast one (even first octet)`;
  if (/^(00:){5}00$/i.test(net.mac)) return "network/mac: 00:00:00:00:00:00 is not a usable address";
  if (net.gateway !== undefined) {
    const gw = ipv4ToInt(net.gateway);
    if (gw === undefined) return `network/gateway: '${net.gateway}' is not an IPv4 address`;
    if (gw === ip) return "network/gateway: the gateway cannot be the workload's own address";
    if (((gw & mask) >>> 0) !== ((ip & mask) >>> 0)) return `network/gateway: ${net.gateway} is outside ${net.ip}/${net.prefixLen}`;
  }
  return null;
}
