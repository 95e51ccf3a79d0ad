// Link discovery: every interval an LLDP PACKET_OUT leaves each live port of
// each switch; one arriving in a PACKET_IN elsewhere proves a link. Links
// expire when probes stop arriving, and go at once when a port goes down.
import { OFP_NO_BUFFER, OFPP_CONTROLLER, OFPP_MAX } from "../../src/openflow/index.js";
import type { PortDesc } from "../../src/openflow/messages.js";
import type { SwitchSession } from "../openflow/session.js";
import type { SwitchRegistry } from "../openflow/registry.js";
import { type Link, linkKey as keyOf, SwitchGraph } from "./graph.js";
import { encodeLldp, type LldpProbe } from "./lldp.js";

const OFPPC_PORT_DOWN = 1;
const OFPPS_LINK_DOWN = 1;

export function portIsLive(p: PortDesc): boolean {
  return p.portNo < OFPP_MAX && (p.config & OFPPC_PORT_DOWN) === 0 && (p.state & OFPPS_LINK_DOWN) === 0;
}

export interface DiscoveryEvents {
  linkUp(link: Link): void;
  linkDown(link: Link, reason: string): void;
}

export class LinkDiscovery {
  readonly graph = new SwitchGraph();
  private readonly lastSeen = new Map<string, number>();
  private readonly connectedAt = new Map<string, number>();
  /** Probe frames per "dpid:port:mac": built once, sent every round. */
  private readonly frames = new Map<string, Buffer>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly registry: SwitchRegistry,
    private readonly events: DiscoveryEvents,
    readonly intervalMs = 1000,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.round(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Probes a switch's ports right away (it just connected). */
  switchUp(conn: SwitchSession): void {
    this.connectedAt.set(conn.dpid, Date.now());
    this.probe(conn);
  }

  switchDown(dpid: string): void {
    this.connectedAt.delete(dpid);
    for (const key of [...this.frames.keys()]) if (key.startsWith(`${dpid}:`)) this.frames.delete(key);
    for (const link of this.graph.linksAt(dpid)) this.drop(link, `switch ${dpid} disconnected`);
  }

  /**
   * True once a switch has had time to hear its neighbours' probes: until
   * then its ports cannot be told apart from host ports, and flooding could loop.
   */
  settled(dpid: string): boolean {
    const at = this.connectedAt.get(dpid);
    return at !== undefined && Date.now() - at >= this.intervalMs * 1.5;
  }

  portDown(dpid: string, port: number): void {
    for (const link of this.graph.linksAt(dpid, port)) this.drop(link, `port ${dpid}:${port} down`);
  }

  /** An LLDP probe of ours came back on (dpid, inPort). Returns true when it revealed a new link. */
  probeReceived(probe: LldpProbe, dpid: string, inPort: number): boolean {
    if (!this.registry.has(probe.dpid) || (probe.dpid === dpid && probe.port === inPort)) return false;
    const link: Link = { src: { dpid: probe.dpid, port: probe.port }, dst: { dpid, port: inPort } };
    const key = keyOf(link);
    this.lastSeen.set(key, Date.now());
    if (!this.graph.add(link)) return false;
    this.events.linkUp(link);
    return true;
  }

  private round(): void {
    const now = Date.now();
    const expiry = this.intervalMs * 3.5;
    for (const link of this.graph.all()) {
      const seen = this.lastSeen.get(keyOf(link)) ?? 0;
      if (now - seen > expiry) this.drop(link, "LLDP probes stopped arriving");
    }
    for (const conn of this.registry.all()) this.probe(conn);
  }

  private drop(link: Link, reason: string): void {
    this.lastSeen.delete(keyOf(link));
    if (this.graph.remove(link)) this.events.linkDown(link, reason);
  }

  private frame(dpid: string, p: PortDesc): Buffer {
    const key = `${dpid}:${p.portNo}:${p.hwAddr}`;
    let f = this.frames.get(key);
    if (!f) {
      f = encodeLldp({ dpid, port: p.portNo }, p.hwAddr);
      this.frames.set(key, f);
    }
    return f;
  }

  private probe(conn: SwitchSession): void {
    const dpid = conn.dpid;
    for (const p of conn.ports.values()) {
      if (!portIsLive(p)) continue;
      try {
        conn.send({
          type: "packetOut",
          xid: 0,
          bufferId: OFP_NO_BUFFER,
          inPort: OFPP_CONTROLLER,
          actions: [{ type: "output", port: p.portNo }],
          data: this.frame(dpid, p),
        });
      } catch {
        return; // disconnected meanwhile
      }
    }
  }
}
