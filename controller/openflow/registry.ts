// Switches whose handshake finished, by datapath id. A switch that reconnects
// replaces its old session (the old socket is closed), so lookups always reach
// the live one.
import type { SwitchSession } from "./session.js";

export class SwitchRegistry {
  private readonly byDpid = new Map<string, SwitchSession>();

  /** Registers a ready session; returns the session it replaced, if any. */
  add(session: SwitchSession): SwitchSession | undefined {
    const old = this.byDpid.get(session.dpid);
    this.byDpid.set(session.dpid, session);
    return old === session ? undefined : old;
  }

  /** Removes `session` only if it is still the current one for its dpid. */
  remove(session: SwitchSession): boolean {
    if (this.byDpid.get(session.dpid) !== session) return false;
    this.byDpid.delete(session.dpid);
    return true;
  }

  get(dpid: string): SwitchSession | undefined {
    return this.byDpid.get(dpid);
  }

  has(dpid: string): boolean {
    return this.byDpid.has(dpid);
  }

  dpids(): string[] {
    return [...this.byDpid.keys()].sort();
  }

  all(): SwitchSession[] {
    return [...this.byDpid.values()];
  }

  get size(): number {
    return this.byDpid.size;
  }
}
