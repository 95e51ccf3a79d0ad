// Thin I/O shell of the overlay: creates and removes the VXLAN ports through
// OVSDB and keeps the TunnelTable the redirect logic reads.
//
// API:
//   const overlay = new Overlay(ovsdbClient)
//   await overlay.connect({bridge, remoteSite, remoteIp, key, localIp?, portName?}) -> Tunnel (with its ofport)
//   await overlay.disconnect(bridge, remoteSite) -> true when a tunnel was removed
//   overlay.portTo(bridge, remoteSite) -> Tunnel | undefined;  overlay.tunnels.list()
// Flows for the tunnels come from planSiteFlows (overlay/plan.ts).
import type { OvsdbClient } from "../ovsdb/client.js";
import { addVxlanPort, removeVxlanPort } from "../ovsdb/vxlan.js";
import { type Tunnel, TunnelTable, tunnelPortName } from "./tunnels.js";

export interface ConnectSite {
  bridge: string;
  remoteSite: string;
  remoteIp: string;
  key: number;
  localIp?: string;
  portName?: string;
}

export class Overlay {
  readonly tunnels = new TunnelTable();

  constructor(private readonly ovsdb: OvsdbClient) {}

  async connect(req: ConnectSite): Promise<Tunnel> {
    const existing = this.tunnels.portTo(req.bridge, req.remoteSite);
    if (existing) {
      if (existing.remoteIp === req.remoteIp && existing.key === req.key) return existing;
      await this.disconnect(req.bridge, req.remoteSite);
    }
    const portName = req.portName ?? tunnelPortName(req.remoteSite);
    const ofport = await addVxlanPort(this.ovsdb, req.bridge, portName, {
      remoteIp: req.remoteIp,
      key: req.key,
      localIp: req.localIp,
    });
    const tunnel: Tunnel = { bridge: req.bridge, remoteSite: req.remoteSite, portName, ofport, remoteIp: req.remoteIp, key: req.key };
    if (req.localIp) tunnel.localIp = req.localIp;
    this.tunnels.add(tunnel);
    return tunnel;
  }

  async disconnect(bridge: string, remoteSite: string): Promise<boolean> {
    const t = this.tunnels.portTo(bridge, remoteSite);
    if (!t) return false;
    await removeVxlanPort(this.ovsdb, bridge, t.portName);
    this.tunnels.remove(bridge, remoteSite);
    return true;
  }

  portTo(bridge: string, remoteSite: string): Tunnel | undefined {
    return this.tunnels.portTo(bridge, remoteSite);
  }
}
