// Reactive forwarding: learns hosts from PACKET_INs on edge ports, answers
// ARP from the host table, installs per-flow (eth_src, eth_dst) rules along
// the shortest path when both ends are known, and otherwise floods along the
// spanning tree only (never a loop, never an actions=NORMAL rule).
import { OFP_NO_BUFFER, OFPP_CONTROLLER, OFPP_MAX } from "../../src/openflow/index.js";
import type { Action, PacketIn } from "../../src/openflow/messages.js";
import { answerArp, parseArp } from "../hosts/arp.js";
import type { HostChange, HostTable } from "../hosts/table.js";
import type { SwitchRegistry } from "../openflow/registry.js";
import type { SwitchSession } from "../openflow/session.js";
import type { SwitchReadyHandler, SwitchReadyMods } from "../openflow/switch-ready.js";
import { ETH_TYPE_ARP, ETH_TYPE_IPV4, ETH_TYPE_LLDP, isMulticastMac, parseEthernet, parseIpv4 } from "../packets/ethernet.js";
import type { LinkDiscovery } from "../topology/discovery.js";
import { portIsLive } from "../topology/discovery.js";
import { decodeLldp } from "../topology/lldp.js";
import type { NoFloodPorts } from "./no-flood.js";
import { forgetAllForwarding, forgetMacFlows, pathFlows } from "./path-flows.js";

export interface ForwarderEvents {
  host(change: HostChange, mac: string): void;
  flowsInstalled(dpids: string[], ethSrc: string, ethDst: string): void;
}

export class Forwarder implements SwitchReadyHandler {
  private tree: Map<string, Set<number>> | undefined;

  constructor(
    private readonly registry: SwitchRegistry,
    private readonly discovery: LinkDiscovery,
    private readonly hosts: HostTable,
    private readonly events: ForwarderEvents,
    private readonly noFlood?: NoFloodPorts,
  ) {}

  /**
   * Learned rules are not put back on a switch that reconnects: its hosts were
   * forgotten with its old session, and traffic teaches the paths again.
   */
  onSwitchReady(): SwitchReadyMods {
    return { mods: [], confirmed: [] };
  }

  /** Links changed: the spanning tree must be recomputed and stale paths removed. */
  topologyChanged(linkWentDown: boolean): void {
    this.tree = undefined;
    if (!linkWentDown) return;
    for (const conn of this.registry.all()) this.trySend(conn, forgetAllForwarding());
  }

  /** A host changed place: flows toward its old place must go. */
  forgetHost(mac: string): void {
    for (const conn of this.registry.all()) for (const fm of forgetMacFlows(mac)) this.trySend(conn, fm);
  }

  packetIn(conn: SwitchSession, pi: PacketIn): void {
    const dpid = conn.dpid;
    const inPort = pi.match.inPort;
    if (inPort === undefined) return;
    const frame = pi.data;
    const eth = parseEthernet(frame);
    if (!eth) return;
    if (eth.ethType === ETH_TYPE_LLDP) {
      const probe = decodeLldp(frame);
      if (probe) this.discovery.probeReceived(probe, dpid, inPort);
      return;
    }
    const fromHost = !this.discovery.graph.isSwitchPort(dpid, inPort);
    const arp = eth.ethType === ETH_TYPE_ARP ? parseArp(frame, eth.payloadOffset) : null;
    if (fromHost && !isMulticastMac(eth.src)) {
      let ip: string | undefined;
      if (arp && arp.senderIp !== "0.0.0.0") ip = arp.senderIp;
      else if (eth.ethType === ETH_TYPE_IPV4) ip = parseIpv4(frame, eth.payloadOffset)?.src;
      const change = this.hosts.learn(eth.src, dpid, inPort, Date.now(), ip);
      if (change === "moved") this.forgetHost(eth.src);
      if (change) this.events.host(change, eth.src);
    }
    if (arp) {
      const reply = answerArp(arp, (ip) => this.hosts.macOf(ip));
      if (reply) {
        this.packetOut(conn, reply, [{ type: "output", port: inPort }]);
        return;
      }
    }
    const dst = isMulticastMac(eth.dst) ? undefined : this.hosts.get(eth.dst);
    if (dst) {
      const path = this.discovery.graph.path(dpid, dst.dpid, dst.port, inPort);
      if (path && this.installPath(path, eth.src, eth.dst)) {
        const first = path[0];
        if (first) this.packetOut(conn, frame, [{ type: "output", port: first.outPort }]);
        return;
      }
    }
    this.flood(conn, inPort, frame);
  }

  /** Installs from the far end back, so a packet never reaches a switch before its rule. */
  private installPath(path: NonNullable<ReturnType<LinkDiscovery["graph"]["path"]>>, ethSrc: string, ethDst: string): boolean {
    const mods = pathFlows(path, ethSrc, ethDst);
    for (let i = mods.length - 1; i >= 0; i--) {
      const m = mods[i];
      if (!m) continue;
      const conn = this.registry.get(m.dpid);
      if (!conn || !this.trySend(conn, m.flowMod)) return false;
    }
    this.events.flowsInstalled(
      mods.map((m) => m.dpid),
      ethSrc,
      ethDst,
    );
    return true;
  }

  private flood(conn: SwitchSession, inPort: number, frame: Buffer): void {
    const dpid = conn.dpid;
    if (!this.discovery.settled(dpid)) return;
    this.tree ??= this.discovery.graph.spanningTreePorts(this.registry.dpids());
    const treePorts = this.tree.get(dpid);
    // Frames from a non-tree switch link are copies already flooded elsewhere.
    if (!this.discovery.graph.isSwitchPort(dpid, inPort) || treePorts?.has(inPort)) {
      const actions: Action[] = [];
      for (const p of conn.ports.values()) {
        if (p.portNo === inPort || p.portNo >= OFPP_MAX || !portIsLive(p) || this.noFlood?.has(dpid, p.portNo)) continue;
        if (this.discovery.graph.isSwitchPort(dpid, p.portNo) && !treePorts?.has(p.portNo)) continue;
        actions.push({ type: "output", port: p.portNo });
      }
      if (actions.length > 0) this.packetOut(conn, frame, actions);
    }
  }

  private packetOut(conn: SwitchSession, data: Buffer, actions: Action[]): void {
    this.trySend(conn, { type: "packetOut", xid: 0, bufferId: OFP_NO_BUFFER, inPort: OFPP_CONTROLLER, actions, data });
  }

  private trySend(conn: SwitchSession, msg: Parameters<SwitchSession["send"]>[0]): boolean {
    try {
      conn.send(msg);
      return true;
    } catch {
      return false;
    }
  }
}
