// Services whose redirect or rollback is on its way to the switches. A switch
// that reconnects meanwhile must not get the service's earlier rules back (they
// would overwrite the new ones with the same match), so its re-install waits
// until the change has settled, then reads what is in force by then.
export class SettlingServices {
  private readonly running = new Map<string, number>();
  private readonly waiting = new Map<string, Set<string>>();

  begin(services: string[]): void {
    for (const s of services) this.running.set(s, (this.running.get(s) ?? 0) + 1);
  }

  /** True when `service` is settling; the switch is then remembered for later. */
  defer(service: string, dpid: string): boolean {
    if (!this.running.has(service)) return false;
    let dpids = this.waiting.get(service);
    if (!dpids) this.waiting.set(service, (dpids = new Set()));
    dpids.add(dpid);
    return true;
  }

  /** Ends one change per service; answers the switches that waited on services now settled. */
  end(services: string[]): Array<{ service: string; dpids: string[] }> {
    const out: Array<{ service: string; dpids: string[] }> = [];
    for (const s of services) {
      const left = (this.running.get(s) ?? 1) - 1;
      if (left > 0) {
        this.running.set(s, left);
        continue;
      }
      this.running.delete(s);
      const dpids = this.waiting.get(s);
      this.waiting.delete(s);
      if (dpids) out.push({ service: s, dpids: [...dpids].sort() });
    }
    return out;
  }
}
