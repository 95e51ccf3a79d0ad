// Which flows each overlay tunnel owns, as pure state: the cookie each tunnel's
// flows carry (owner "overlay" plus a per-tunnel id, so deleting a tunnel
// removes exactly its flows), the FLOW_MODs that install or remove them, and
// what a switch must get back after a reconnect. Sends nothing; the overlay
// service (service.ts) applies what this returns.
import type { FlowMod } from "../../src/openflow/messages.js";
import { COOKIE_OVERLAY } from "../openflow/cookies.js";
import { siteFlowMods } from "./flow-mod.js";
import type { Tunnel } from "./tunnels.js";

export interface TunnelFlows {
  /** Datapath of the tunnel's bridge (null while vswitchd has not made it). */
  dpid: string | null;
  /** Address blocks sent into the tunnel, normalised ("10.1.0.0/24", "10.0.0.7"). */
  prefixes: string[];
  cookie: bigint;
}

const ALL_COOKIE_BITS = 0xffff_ffff_ffff_ffffn;

export class TunnelFlowBook {
  private readonly byPort = new Map<string, TunnelFlows>();
  private nextCookieId = 1n;

  /** The flows a new tunnel will own, with a cookie no other tunnel has; recorded only by `record`. */
  allocate(dpid: string | null, prefixes: string[]): TunnelFlows {
    return { dpid, prefixes, cookie: COOKIE_OVERLAY | this.nextCookieId++ };
  }

  record(portName: string, flows: TunnelFlows): void {
    this.byPort.set(portName, flows);
    // Flows kept from an earlier run: new tunnels' cookies continue after theirs.
    const id = flows.cookie & ~COOKIE_OVERLAY;
    if (id >= this.nextCookieId) this.nextCookieId = id + 1n;
  }

  forget(portName: string): void {
    this.byPort.delete(portName);
  }

  of(portName: string): TunnelFlows | undefined {
    return this.byPort.get(portName);
  }

  /** Two FLOW_MODs (IPv4 and ARP) per prefix, into the tunnel's port. */
  installMods(tunnel: Tunnel, flows: TunnelFlows): FlowMod[] {
    return siteFlowMods({ localHosts: [], remote: flows.prefixes.map((prefix) => ({ prefix, tunnelPort: tunnel.ofport })), cookie: flows.cookie });
  }

  /** Deletes exactly the tunnel's flows, by its cookie. */
  removeMods(flows: TunnelFlows): FlowMod[] {
    return [{ type: "flowMod", xid: 0, command: "delete", cookie: flows.cookie, cookieMask: ALL_COOKIE_BITS, tableId: 0xff }];
  }

  /** What switch `dpid` must hold again after its set-up wiped it: the flows of every tunnel on its bridge. */
  onSwitchReady(dpid: string, tunnels: Tunnel[]): FlowMod[] {
    return tunnels.flatMap((t) => {
      const f = this.byPort.get(t.portName);
      return f && f.dpid === dpid ? this.installMods(t, f) : [];
    });
  }
}
