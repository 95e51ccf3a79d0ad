// Connected switches by datapath id. A switch that reconnects replaces its
// old session (the old socket is closed), so lookups always reach the live one.
import type { SwitchConnection } from "./connection.js";

export class SwitchRegistry {
  private readonly byDpid = new Map<string, SwitchConnection>();

  /** Registers a ready connection; returns the session it replaced, if any. */
  add(conn: SwitchConnection): SwitchConnection | undefined {
    const dpid = conn.dpid as string;
    const old = this.byDpid.get(dpid);
    this.byDpid.set(dpid, conn);
    return old === conn ? undefined : old;
  }

  /** Removes `conn` only if it is still the current session for its dpid. */
  remove(conn: SwitchConnection): boolean {
    if (!conn.dpid || this.byDpid.get(conn.dpid) !== conn) return false;
    this.byDpid.delete(conn.dpid);
    return true;
  }

  get(dpid: string): SwitchConnection | undefined {
    return this.byDpid.get(dpid);
  }

  has(dpid: string): boolean {
    return this.byDpid.has(dpid);
  }

  dpids(): string[] {
    return [...this.byDpid.keys()].sort();
  }

  all(): SwitchConnection[] {
    return [...this.byDpid.values()];
  }

  get size(): number {
    return this.byDpid.size;
  }
}
