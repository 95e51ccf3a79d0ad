// Which bridge reaches which site over which tunnel port. Pure table; the
// OVSDB work that creates the ports lives in overlay/manager.ts.
//
// API:
//   tunnelPortName(remoteSite) -> "vx-<site>" (<= 15 chars, the kernel's limit)
//   new TunnelTable(): add(t), remove(bridge, remoteSite), portTo(bridge, remoteSite),
//                      fromBridge(bridge), list()

export interface Tunnel {
  /** OVS bridge name at the local site. */
  bridge: string;
  /** Site the tunnel leads to. */
  remoteSite: string;
  /** OVS port (and interface) name. */
  portName: string;
  /** OpenFlow port number OVS assigned to the tunnel. */
  ofport: number;
  /** Underlay address of the far end. */
  remoteIp: string;
  /** VXLAN network identifier. */
  key: number;
  localIp?: string;
}

export function tunnelPortName(remoteSite: string): string {
  const safe = remoteSite.toLowerCase().replace(/[^a-z0-9_.-]/g, "-");
  return `vx-${safe}`.slice(0, 15);
}

export class TunnelTable {
  private readonly tunnels = new Map<string, Tunnel>();

  add(t: Tunnel): void {
    this.tunnels.set(key(t.bridge, t.remoteSite), { ...t });
  }

  remove(bridge: string, remoteSite: string): Tunnel | undefined {
    const k = key(bridge, remoteSite);
    const t = this.tunnels.get(k);
    this.tunnels.delete(k);
    return t;
  }

  /** The tunnel from `bridge` to `remoteSite`, if one is up. */
  portTo(bridge: string, remoteSite: string): Tunnel | undefined {
    return this.tunnels.get(key(bridge, remoteSite));
  }

  fromBridge(bridge: string): Tunnel[] {
    return this.list().filter((t) => t.bridge === bridge);
  }

  list(): Tunnel[] {
    return [...this.tunnels.values()].sort((a, b) => a.bridge.localeCompare(b.bridge) || a.remoteSite.localeCompare(b.remoteSite));
  }
}

function key(bridge: string, site: string): string {
  return `${bridge}\u0000${site}`;
}
