// Pure: the switches a service's traffic crosses between two bridges, from
// the links the controller discovered (VXLAN links between sites included).
// Breadth first: the fewest links, as the controller's forwarding takes them.

export interface TopologyLink {
  src: { dpid: string; port: number };
  dst: { dpid: string; port: number };
}

/** The dpids from `from` to `to` (both included), or null when no discovered link joins them. */
export function switchPath(links: readonly TopologyLink[], from: string, to: string): string[] | null {
  if (from === to) return [from];
  const next = new Map<string, Set<string>>();
  const join = (a: string, b: string) => {
    if (!next.has(a)) next.set(a, new Set());
    next.get(a)!.add(b);
  };
  for (const l of links) {
    join(l.src.dpid, l.dst.dpid);
    join(l.dst.dpid, l.src.dpid);
  }
  const cameFrom = new Map<string, string>([[from, from]]);
  const queue = [from];
  while (queue.length > 0) {
    const at = queue.shift()!;
    for (const n of next.get(at) ?? []) {
      if (cameFrom.has(n)) continue;
      cameFrom.set(n, at);
      if (n === to) {
        const path = [to];
        while (path[0] !== from) path.unshift(cameFrom.get(path[0]!)!);
        return path;
      }
      queue.push(n);
    }
  }
  return null;
}
