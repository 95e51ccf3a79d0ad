// The naming scheme of every host object a plan makes, and its inverse: the
// matchers `clean` uses, so a crash's leftovers are found by our exact names
// and nothing else (another prefix, or a name we never make, never matches).

/** Linux limits interface names to 15 bytes (IFNAMSIZ - 1). */
export const IFNAME_MAX = 15;

export const PREFIX_PATTERN = /^[a-z][a-z0-9]{1,7}$/;
export const SITE_PATTERN = /^[a-z0-9][a-z0-9-]{0,30}$/;

export const names = {
  bridge: (p: string, i: number) => `${p}-b${i}`,
  /** The two ends of the veth between two bridges of one site. */
  siteVeth: (p: string, i: number, end: "a" | "b") => `${p}-s${i}${end}`,
  /** The private namespaces holding each VXLAN link's underlay sockets. */
  underlayNs: (p: string, i: number, end: "a" | "b") => `${p}-u${i}${end}`,
  /** The underlay veth inside those namespaces. */
  underlayVeth: (p: string, i: number, end: "a" | "b") => `${p}-w${i}${end}`,
  vxlan: (p: string, i: number, end: "a" | "b") => `${p}-x${i}${end}`,
  deviceNs: (p: string, site: string) => `${p}-dev-${site}`,
  /** The bridge's side of a device namespace's veth. */
  deviceVeth: (p: string, i: number) => `${p}-d${i}`,
  gateway: (p: string) => `${p}-gw`,
};

/** The interface name inside a device namespace. */
export const DEVICE_IFACE = "eth0";

const literal = (p: string) => p.replace(/[^a-z0-9]/g, "");

/** Bridges of our scheme for `prefix`. */
export function bridgeMatcher(prefix: string): RegExp {
  return new RegExp(`^${literal(prefix)}-b\\d+$`);
}

/** Interfaces of the root namespace our scheme makes (bridge ports, veth ends, VXLAN devices, the gateway). */
export function linkMatcher(prefix: string): RegExp {
  return new RegExp(`^${literal(prefix)}-(b\\d+|s\\d+[ab]|x\\d+[ab]|d\\d+|gw)$`);
}

/** Network namespaces of our scheme: underlays and device namespaces. */
export function netnsMatcher(prefix: string): RegExp {
  return new RegExp(`^${literal(prefix)}-(u\\d+[ab]|dev-[a-z0-9][a-z0-9-]*)$`);
}
