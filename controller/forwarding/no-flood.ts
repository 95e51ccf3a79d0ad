// Ports the controller's flooding leaves out (PUT .../ports/:port {noFlood}).
// OpenFlow 1.3 dropped OFPPC_NO_FLOOD: flooding is the controller's own
// PACKET_OUT to a list of ports, so this is where the flag lives. Kept per
// datapath across reconnects, like an operator's setting.
export class NoFloodPorts {
  private readonly byDpid = new Map<string, Set<number>>();

  set(dpid: string, port: number, on: boolean): void {
    const ports = this.byDpid.get(dpid) ?? new Set<number>();
    if (on) ports.add(port);
    else ports.delete(port);
    if (ports.size > 0) this.byDpid.set(dpid, ports);
    else this.byDpid.delete(dpid);
  }

  has(dpid: string, port: number): boolean {
    return this.byDpid.get(dpid)?.has(port) ?? false;
  }
}
