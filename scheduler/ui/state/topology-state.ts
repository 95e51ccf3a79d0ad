// Topology view model: what the controller sees (switches with their port
// names, LLDP links, learned hosts, overlay tunnels, named places, redirects)
// kept up to date by its events, and turned into a graph: sites (switches
// joined by links that are not VXLAN), switches labelled with their bridge
// and the nodes on them, links (VXLAN ones marked), hosts (a task's service
// IP named by its task), and for each moved service the path its traffic takes
// now: the shortest path over the links from where it ran before to the switch
// port the controller's active redirect sends it to. Pure.
import type { HostList, NodePlace, PortView, RedirectRecord, TopologyView, TunnelView } from "../../../src/api-types/controller.js";
import type { ControllerUiEvent, Host, Link } from "./events.js";

/** OpenFlow's LOCAL port: on Open vSwitch it bears the bridge's name. */
const LOCAL_PORT = 0xfffffffe;
/** VXLAN ports: OVS's usual names and loopnet's devices (P-xNa / P-xNb, src/loopnet/names.ts). */
const VXLAN_PORT_NAME = /^vxlan|^vx-|-x\d+[ab]$/;

export interface SwitchInfo {
  dpid: string;
  /** portNo -> name, once the ports were read. */
  ports: ReadonlyMap<number, string>;
}

export interface TopologyState {
  switches: ReadonlyMap<string, SwitchInfo>;
  links: ReadonlyMap<string, Link>;
  hosts: ReadonlyMap<string, Host>;
  tunnels: readonly TunnelView[];
  places: readonly NodePlace[];
  /** The latest redirect of each service. */
  redirects: ReadonlyMap<string, RedirectRecord>;
}

export const emptyTopology = (): TopologyState => ({ switches: new Map(), links: new Map(), hosts: new Map(), tunnels: [], places: [], redirects: new Map() });

export const linkKey = (l: Link): string => [`${l.src.dpid}:${l.src.port}`, `${l.dst.dpid}:${l.dst.port}`].sort().join("-");

export function withTopology(state: TopologyState, t: TopologyView): TopologyState {
  const switches = new Map<string, SwitchInfo>();
  for (const d of t.switches) switches.set(d, state.switches.get(d) ?? { dpid: d, ports: new Map() });
  const links = new Map<string, Link>();
  for (const l of t.links) links.set(linkKey(l), l);
  return { ...state, switches, links };
}

export function withPorts(state: TopologyState, dpid: string, ports: PortView[]): TopologyState {
  const info: SwitchInfo = { dpid, ports: new Map(ports.map((p) => [p.portNo, p.name])) };
  return { ...state, switches: new Map(state.switches).set(dpid, info) };
}

export function withHosts(state: TopologyState, hosts: HostList): TopologyState {
  return { ...state, hosts: new Map(hosts.hosts.map((h) => [h.mac, h])) };
}

export function withTunnels(state: TopologyState, tunnels: TunnelView[]): TopologyState {
  return { ...state, tunnels };
}

export function withPlaces(state: TopologyState, places: NodePlace[]): TopologyState {
  return { ...state, places };
}

export function withRedirects(state: TopologyState, redirects: RedirectRecord[]): TopologyState {
  const map = new Map<string, RedirectRecord>();
  for (const r of [...redirects].sort((a, b) => a.id - b.id)) map.set(r.service, r);
  return { ...state, redirects: map };
}

/** One controller event. switch.up answers the state unchanged: the caller reads the switch's ports and the topology anew. */
export function applyTopologyEvent(state: TopologyState, e: ControllerUiEvent): TopologyState {
  switch (e.type) {
    case "switch.down": {
      const switches = new Map(state.switches);
      switches.delete(e.dpid);
      const links = new Map([...state.links].filter(([, l]) => l.src.dpid !== e.dpid && l.dst.dpid !== e.dpid));
      const hosts = new Map([...state.hosts].filter(([, h]) => h.dpid !== e.dpid));
      return { ...state, switches, links, hosts };
    }
    case "link.up":
      return { ...state, links: new Map(state.links).set(linkKey(e.link), e.link) };
    case "link.down": {
      const links = new Map(state.links);
      links.delete(linkKey(e.link));
      return { ...state, links };
    }
    case "host.new":
    case "host.moved":
    case "host.changed":
      return e.host?.mac ? { ...state, hosts: new Map(state.hosts).set(e.host.mac, e.host) } : state;
    case "redirect":
    case "redirect.rolledBack":
      return { ...state, redirects: new Map(state.redirects).set(e.redirect.service, e.redirect) };
    case "overlay.tunnel.up": {
      const t = e.tunnel as TunnelView;
      return t?.name ? { ...state, tunnels: [...state.tunnels.filter((x) => x.name !== t.name), t] } : state;
    }
    case "overlay.tunnel.down":
      return { ...state, tunnels: state.tunnels.filter((x) => x.name !== e.tunnel?.name) };
    default:
      return state;
  }
}

export interface GraphTask {
  id: string;
  node: string;
  serviceIp: string | null;
}

export interface TopologyGraph {
  sites: Array<{ id: string; label: string }>;
  switches: Array<{ id: string; label: string; site: string; onPath: boolean }>;
  links: Array<{ id: string; source: string; target: string; vxlan: boolean; onPath: boolean; label: string }>;
  hosts: Array<{ id: string; label: string; switch: string; task: string | null; onPath: boolean }>;
  /** Each moved service's path now, switch by switch. */
  paths: Array<{ service: string; ip: string; switches: string[]; port: number }>;
}

export function topologyGraph(state: TopologyState, tasks: readonly GraphTask[]): TopologyGraph {
  // A moved service is where its active redirect sends it: the host table may still place it where it ran.
  const movedTo = new Map([...state.redirects.values()].filter((r) => r.state === "active").map((r) => [r.ip, findDpid(state, r.to.dpid)] as const));
  const hostSwitch = (h: Host): string => (h.ip !== null && movedTo.get(h.ip)) || h.dpid;
  const nodesOn = nodesBySwitch(state, tasks, hostSwitch);
  const isVxlan = (end: { dpid: string; port: number }) => {
    const name = state.switches.get(end.dpid)?.ports.get(end.port);
    if (name && VXLAN_PORT_NAME.test(name)) return true;
    return state.tunnels.some((t) => t.dpid !== null && sameDpid(t.dpid, end.dpid) && t.ofport === end.port);
  };
  const links = [...state.links.entries()].map(([id, l]) => ({ id, l, vxlan: isVxlan(l.src) || isVxlan(l.dst) }));

  // Sites: switches joined by links that are not VXLAN.
  const parent = new Map<string, string>([...state.switches.keys()].map((d) => [d, d]));
  const find = (d: string): string => {
    let r = d;
    while (parent.get(r) !== r && parent.has(r)) r = parent.get(r)!;
    return r;
  };
  for (const { l, vxlan } of links) if (!vxlan && parent.has(l.src.dpid) && parent.has(l.dst.dpid)) parent.set(find(l.src.dpid), find(l.dst.dpid));
  const members = new Map<string, string[]>();
  for (const d of [...state.switches.keys()].sort()) members.set(find(d), [...(members.get(find(d)) ?? []), d]);
  const sites = [...members.entries()].map(([root, dpids], i) => {
    const named = state.places.find((p) => p.site && dpids.some((d) => sameDpid(d, p.switch)))?.site;
    const nodes = dpids.flatMap((d) => nodesOn.get(d) ?? []);
    const bridges = dpids.map((d) => state.switches.get(d)?.ports.get(LOCAL_PORT)).filter((b) => b !== undefined);
    return { id: `site:${root}`, label: named ?? (nodes.length ? `site ${nodes.join(" + ")}` : bridges.length ? `site of ${bridges.join(" + ")}` : `site ${i + 1}`), dpids };
  });
  const siteOf = new Map(sites.flatMap((s) => s.dpids.map((d) => [d, s.id] as const)));

  const paths = movedPaths(state);
  const pathSwitches = new Set(paths.flatMap((p) => p.switches));
  const pathLinks = new Set(paths.flatMap((p) => p.switches.slice(1).map((d, i) => pairKey(p.switches[i]!, d))));
  const pathIps = new Set(paths.map((p) => p.ip));
  const taskByIp = new Map(tasks.filter((t) => t.serviceIp).map((t) => [t.serviceIp!, t.id]));

  return {
    sites: sites.map(({ id, label }) => ({ id, label })),
    switches: [...state.switches.values()].map((s) => {
      const bridge = s.ports.get(LOCAL_PORT);
      const nodes = nodesOn.get(s.dpid) ?? [];
      const short = s.dpid.replace(/^0+(?=.)/, "");
      return { id: s.dpid, label: [bridge ?? `dpid ${short}`, ...nodes].join("\n"), site: siteOf.get(s.dpid)!, onPath: pathSwitches.has(s.dpid) };
    }),
    links: links
      .filter(({ l }) => state.switches.has(l.src.dpid) && state.switches.has(l.dst.dpid))
      .map(({ id, l, vxlan }) => ({ id, source: l.src.dpid, target: l.dst.dpid, vxlan, onPath: pathLinks.has(pairKey(l.src.dpid, l.dst.dpid)), label: vxlan ? "VXLAN" : "" })),
    hosts: [...state.hosts.values()]
      .filter((h) => state.switches.has(hostSwitch(h)))
      .map((h) => {
        const task = h.ip ? (taskByIp.get(h.ip) ?? null) : null;
        return { id: `host:${h.mac}`, label: task ? `${task}\n${h.ip}` : (h.ip ?? h.mac), switch: hostSwitch(h), task, onPath: h.ip !== null && pathIps.has(h.ip) };
      }),
    paths,
  };
}

/** The switches of the shortest path between two switches over the links (BFS; [] when none). */
export function shortestPath(links: Iterable<Link>, from: string, to: string): string[] {
  const next = new Map<string, string[]>();
  for (const l of links) {
    next.set(l.src.dpid, [...(next.get(l.src.dpid) ?? []), l.dst.dpid]);
    next.set(l.dst.dpid, [...(next.get(l.dst.dpid) ?? []), l.src.dpid]);
  }
  const previous = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  while (queue.length) {
    const d = queue.shift()!;
    if (d === to) break;
    for (const n of (next.get(d) ?? []).sort()) {
      if (previous.has(n)) continue;
      previous.set(n, d);
      queue.push(n);
    }
  }
  if (!previous.has(to)) return [];
  const path: string[] = [];
  for (let d: string | null = to; d !== null; d = previous.get(d) ?? null) path.unshift(d);
  return path;
}

/** Active redirects: from the switch the service left to the one it runs behind now. */
function movedPaths(state: TopologyState): TopologyGraph["paths"] {
  const out: TopologyGraph["paths"] = [];
  for (const r of state.redirects.values()) {
    if (r.state !== "active") continue;
    const to = findDpid(state, r.to.dpid);
    const from = r.from ? findDpid(state, r.from.dpid) : to;
    const switches = from && to ? shortestPath(state.links.values(), from, to) : to ? [to] : [];
    out.push({ service: r.service, ip: r.ip, switches: switches.length ? switches : to ? [to] : [], port: r.to.port });
  }
  return out.sort((a, b) => a.service.localeCompare(b.service));
}

/** Node names per switch: the controller's named places, and where each task's service IP was seen. */
function nodesBySwitch(state: TopologyState, tasks: readonly GraphTask[], hostSwitch: (h: Host) => string): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  const add = (dpid: string | undefined, node: string) => {
    if (!dpid) return;
    out.set(dpid, (out.get(dpid) ?? new Set()).add(node));
  };
  for (const p of state.places) add(findDpid(state, p.switch), p.name);
  const hostByIp = new Map([...state.hosts.values()].filter((h) => h.ip).map((h) => [h.ip!, h]));
  for (const t of tasks) {
    const h = t.serviceIp ? hostByIp.get(t.serviceIp) : undefined;
    if (h) add(hostSwitch(h), t.node);
  }
  return new Map([...out].map(([d, s]) => [d, [...s].sort()]));
}

function findDpid(state: TopologyState, dpid: string): string | undefined {
  return [...state.switches.keys()].find((d) => sameDpid(d, dpid));
}

function sameDpid(a: string, b: string): boolean {
  const n = (x: string) => x.replace(/^0x/i, "").toLowerCase().replace(/^0+/, "");
  return n(a) === n(b);
}

function pairKey(a: string, b: string): string {
  return [a, b].sort().join("|");
}
