// Live table of hosts learned from PACKET_INs on edge ports: where each MAC
// attaches (switch, port), its last IPv4 address and when it was last seen.

export interface Host {
  mac: string;
  ip?: string;
  dpid: string;
  port: number;
  /** Epoch milliseconds. */
  lastSeen: number;
}

export type HostChange = "new" | "moved" | "ip";

export class HostTable {
  private readonly byMac = new Map<string, Host>();
  private readonly macByIp = new Map<string, string>();

  /**
   * Records a sighting; returns what changed (null when only lastSeen did),
   * so callers emit events and drop stale flows only when it matters.
   */
  learn(mac: string, dpid: string, port: number, now: number, ip?: string): HostChange | null {
    const known = this.byMac.get(mac);
    if (!known) {
      this.byMac.set(mac, { mac, ip, dpid, port, lastSeen: now });
      if (ip) this.macByIp.set(ip, mac);
      return "new";
    }
    known.lastSeen = now;
    let change: HostChange | null = null;
    if (known.dpid !== dpid || known.port !== port) {
      known.dpid = dpid;
      known.port = port;
      change = "moved";
    }
    if (ip && known.ip !== ip) {
      if (known.ip && this.macByIp.get(known.ip) === mac) this.macByIp.delete(known.ip);
      known.ip = ip;
      this.macByIp.set(ip, mac);
      change ??= "ip";
    }
    return change;
  }

  /** Places a host explicitly (a redirect knows the new place before the host speaks). */
  place(mac: string, dpid: string, port: number, now: number, ip?: string): void {
    this.learn(mac, dpid, port, now, ip);
  }

  get(mac: string): Host | undefined {
    return this.byMac.get(mac);
  }

  macOf(ip: string): string | undefined {
    return this.macByIp.get(ip);
  }

  byIp(ip: string): Host | undefined {
    const mac = this.macByIp.get(ip);
    return mac ? this.byMac.get(mac) : undefined;
  }

  /** Forgets hosts on a switch (it went away). Returns the MACs removed. */
  forgetSwitch(dpid: string): string[] {
    const gone: string[] = [];
    for (const h of this.byMac.values()) if (h.dpid === dpid) gone.push(h.mac);
    for (const mac of gone) this.forget(mac);
    return gone;
  }

  /** Forgets hosts last seen on a port that turned out to lead to a switch. */
  forgetPort(dpid: string, port: number): string[] {
    const gone: string[] = [];
    for (const h of this.byMac.values()) if (h.dpid === dpid && h.port === port) gone.push(h.mac);
    for (const mac of gone) this.forget(mac);
    return gone;
  }

  forget(mac: string): void {
    const h = this.byMac.get(mac);
    if (!h) return;
    this.byMac.delete(mac);
    if (h.ip && this.macByIp.get(h.ip) === mac) this.macByIp.delete(h.ip);
  }

  all(): Host[] {
    return [...this.byMac.values()].map((h) => ({ ...h }));
  }
}
