// Pure switch graph: links between (dpid, port) ends, shortest paths by BFS
// (every link costs one hop), a spanning tree for loop-free flooding, and
// next hops toward a destination switch for destination-based rules.

export interface LinkEnd {
  dpid: string;
  port: number;
}

/** A directed observation a→b; the graph treats links as undirected. */
export interface Link {
  src: LinkEnd;
  dst: LinkEnd;
}

/** One hop along a path: leave `dpid` through `outPort` (arrived on `inPort`, undefined at the start). */
export interface Hop {
  dpid: string;
  inPort?: number;
  outPort: number;
}

const endKey = (e: LinkEnd): string => `${e.dpid}:${e.port}`;

/** Canonical key so a→b and b→a name the same link. */
export function linkKey(link: Link): string {
  const a = endKey(link.src);
  const b = endKey(link.dst);
  return a < b ? `${a}-${b}` : `${b}-${a}`;
}

export class SwitchGraph {
  private readonly links = new Map<string, Link>();
  /** dpid -> port -> far end. */
  private readonly adjacency = new Map<string, Map<number, LinkEnd>>();

  /** Adds a link; returns true when it is new. */
  add(link: Link): boolean {
    const key = linkKey(link);
    if (this.links.has(key)) return false;
    this.links.set(key, link);
    this.attach(link.src, link.dst);
    this.attach(link.dst, link.src);
    return true;
  }

  /** Removes a link; returns true when it existed. */
  remove(link: Link): boolean {
    const key = linkKey(link);
    const known = this.links.get(key);
    if (!known) return false;
    this.links.delete(key);
    this.detach(known.src);
    this.detach(known.dst);
    return true;
  }

  /** Links touching a switch port (or the whole switch when port is undefined). */
  linksAt(dpid: string, port?: number): Link[] {
    const out: Link[] = [];
    for (const l of this.links.values()) {
      for (const e of [l.src, l.dst]) {
        if (e.dpid === dpid && (port === undefined || e.port === port)) {
          out.push(l);
          break;
        }
      }
    }
    return out;
  }

  all(): Link[] {
    return [...this.links.values()];
  }

  has(link: Link): boolean {
    return this.links.has(linkKey(link));
  }

  /** True when the port leads to another switch (so hosts are never learned there). */
  isSwitchPort(dpid: string, port: number): boolean {
    return this.adjacency.get(dpid)?.has(port) ?? false;
  }

  neighbours(dpid: string): Array<{ port: number; far: LinkEnd }> {
    const ports = this.adjacency.get(dpid);
    if (!ports) return [];
    return [...ports.entries()].sort((a, b) => a[0] - b[0]).map(([port, far]) => ({ port, far }));
  }

  /**
   * Shortest path (fewest hops) from `from` to `to` as the ports to leave each
   * switch by, ending with `lastPort` at `to`. Null when unreachable.
   */
  path(from: string, to: string, lastPort: number, firstInPort?: number): Hop[] | null {
    const parent = this.bfs(to);
    if (!parent.has(from)) return null;
    // BFS ran from the destination, so following parents walks toward it.
    const hops: Hop[] = [];
    let current = from;
    let inPort = firstInPort;
    for (let guard = 0; guard <= parent.size; guard++) {
      if (current === to) {
        hops.push({ dpid: current, inPort, outPort: lastPort });
        return hops;
      }
      const step = parent.get(current);
      if (!step) return null;
      hops.push({ dpid: current, inPort, outPort: step.port });
      inPort = step.far.port;
      current = step.far.dpid;
    }
    return null;
  }

  /** For every switch that can reach `to`: the port toward it (`lastPort` at `to` itself). */
  nextHopsToward(to: string, lastPort: number): Map<string, number> {
    const parent = this.bfs(to);
    const out = new Map<string, number>();
    for (const [dpid, step] of parent) out.set(dpid, step ? step.port : lastPort);
    return out;
  }

  /**
   * Ports on spanning-tree links per switch (BFS tree rooted at the smallest
   * dpid of each component), so flooding along them never loops.
   */
  spanningTreePorts(switches: Iterable<string>): Map<string, Set<number>> {
    const tree = new Map<string, Set<number>>();
    const sorted = [...switches].sort();
    for (const d of sorted) tree.set(d, new Set());
    const seen = new Set<string>();
    for (const root of sorted) {
      if (seen.has(root)) continue;
      seen.add(root);
      const queue = [root];
      for (let i = 0; i < queue.length; i++) {
        const d = queue[i] as string;
        for (const { port, far } of this.neighbours(d)) {
          if (seen.has(far.dpid)) continue;
          seen.add(far.dpid);
          queue.push(far.dpid);
          ensure(tree, d).add(port);
          ensure(tree, far.dpid).add(far.port);
        }
      }
    }
    return tree;
  }

  /** BFS from `root`: for each reached switch, the port toward root and that link's far end (null at root). */
  private bfs(root: string): Map<string, { port: number; far: LinkEnd } | null> {
    const parent = new Map<string, { port: number; far: LinkEnd } | null>([[root, null]]);
    const queue = [root];
    for (let i = 0; i < queue.length; i++) {
      const d = queue[i] as string;
      for (const { port, far } of this.neighbours(d)) {
        if (parent.has(far.dpid)) continue;
        // far.dpid reaches root by leaving through far.port toward d.
        parent.set(far.dpid, { port: far.port, far: { dpid: d, port } });
        queue.push(far.dpid);
      }
    }
    return parent;
  }

  private attach(at: LinkEnd, far: LinkEnd): void {
    ensureMap(this.adjacency, at.dpid).set(at.port, far);
  }

  private detach(at: LinkEnd): void {
    const ports = this.adjacency.get(at.dpid);
    ports?.delete(at.port);
    if (ports && ports.size === 0) this.adjacency.delete(at.dpid);
  }
}

function ensure(m: Map<string, Set<number>>, k: string): Set<number> {
  let s = m.get(k);
  if (!s) {
    s = new Set();
    m.set(k, s);
  }
  return s;
}

function ensureMap(m: Map<string, Map<number, LinkEnd>>, k: string): Map<number, LinkEnd> {
  let s = m.get(k);
  if (!s) {
    s = new Map();
    m.set(k, s);
  }
  return s;
}
