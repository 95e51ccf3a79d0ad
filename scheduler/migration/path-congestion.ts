// network_congestion_prob for a move: the utilisation (0-1) of the busiest
// link on the switch path between the two nodes' bridges, from the
// controller's port rates. The arithmetic is pure (linkUtilisation); the
// adapter asks the controller for the topology and the ports of each switch
// on the path (rates need two polls: a switch polled for the first time is
// asked again after a short wait).
import type { PortView, TopologyView } from "../../src/api-types/controller.js";
import type { MoveRecord } from "../../src/api-types/scheduler.js";
import type { AgentDirectory } from "./ports.js";
import { switchPath, type TopologyLink } from "./switch-path.js";

/** Ports that report no speed (VXLAN, some veths) count as this many kb/s (1 Gb/s). */
export const DEFAULT_LINK_KBPS = 1_000_000;

export interface PortsSource {
  topology(): Promise<TopologyView>;
  ports(dpid: string): Promise<{ dpid: string; ports: PortView[] }>;
}

/** Busiest direction of one port end over its speed; undefined without rates. */
export function portUtilisation(port: PortView | undefined): number | undefined {
  if (!port?.rates) return undefined;
  const kbps = port.currSpeed > 0 ? port.currSpeed : DEFAULT_LINK_KBPS;
  const busiest = Math.max(port.rates.rxBytesPerSec, port.rates.txBytesPerSec) * 8;
  return Math.min(1, busiest / (kbps * 1000));
}

/** The links joining consecutive switches of `path`, as (dpid, port) ends. */
export function pathLinks(links: readonly TopologyLink[], path: readonly string[]): Array<Array<{ dpid: string; port: number }>> {
  const out: Array<Array<{ dpid: string; port: number }>> = [];
  for (let i = 0; i + 1 < path.length; i++) {
    const [a, b] = [path[i]!, path[i + 1]!];
    const l = links.find((x) => (x.src.dpid === a && x.dst.dpid === b) || (x.src.dpid === b && x.dst.dpid === a));
    if (l) out.push([l.src, l.dst]);
  }
  return out;
}

/** The highest utilisation over the path's links (0 on one switch); undefined when no end has rates. */
export function linkUtilisation(ends: Array<Array<{ dpid: string; port: number }>>, ports: ReadonlyMap<string, PortView[]>): number | undefined {
  if (ends.length === 0) return 0;
  const seen: number[] = [];
  for (const link of ends) {
    for (const end of link) {
      const u = portUtilisation(ports.get(end.dpid)?.find((p) => p.portNo === end.port));
      if (u !== undefined) seen.push(u);
    }
  }
  return seen.length ? Math.max(...seen) : undefined;
}

export function pathCongestion(controller: PortsSource, agents: AgentDirectory, opts: { retryMs?: number; sleep?: (ms: number) => Promise<void> } = {}) {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  /** `waitForRates: false` (the queue preview) takes unknown rather than polling a switch twice. */
  return async (move: MoveRecord, o: { waitForRates?: boolean } = {}): Promise<number | undefined> => {
    if (!move.fromEndpoint || !move.toEndpoint) return undefined;
    const [a, b] = await Promise.all([agents(move.fromEndpoint, move.from).info(), agents(move.toEndpoint, move.to).info()]);
    const [from, to] = [a.network?.dpid, b.network?.dpid];
    if (!from || !to) return undefined;
    const topology = await controller.topology();
    const path = switchPath(topology.links, from, to);
    if (!path) return undefined;
    const ends = pathLinks(topology.links, path);
    const dpids = [...new Set(ends.flat().map((e) => e.dpid))];
    const read = async () => new Map(await Promise.all(dpids.map(async (d) => [d, (await controller.ports(d)).ports] as const)));
    let ports = await read();
    if (o.waitForRates !== false && [...ports.values()].some((list) => list.some((p) => p.rates === null))) {
      await sleep(opts.retryMs ?? 500);
      ports = await read();
    }
    return linkUtilisation(ends, ports);
  };
}
