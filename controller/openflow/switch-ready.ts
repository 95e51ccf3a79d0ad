// A switch that (re)connects comes out of its set-up with an empty table. Each
// part that keeps rules on switches (forwarding, redirects, overlay) answers
// "this switch is ready: here is what it must hold" as data, and this one
// place sends it all in order, ends with one BARRIER and, once the switch
// answered, reports the events the parts asked for.
import type { FlowMod, GroupMod, OfMessage } from "../../src/openflow/messages.js";
import type { Log } from "./connection.js";

/** The part of a switch session that installing rules needs (SwitchSession has it). */
export interface FlowTarget {
  send(msg: OfMessage): number;
  barrier(): Promise<void>;
}

export type ReadyEvent = Record<string, unknown> & { type: string };

/** What one part puts back on a switch. */
export interface SwitchReadyMods {
  /** GROUP_MODs and FLOW_MODs in the order they must reach the switch (a group before the flows that use it). */
  mods: Array<FlowMod | GroupMod>;
  /** Reported once the switch confirmed the mods. */
  confirmed: ReadyEvent[];
}

export interface SwitchReadyHandler {
  /** Pure as far as the switch goes: answers the mods, sends nothing. */
  onSwitchReady(dpid: string): SwitchReadyMods;
}

export interface SwitchRestorerDeps {
  switches: { get(dpid: string): FlowTarget | undefined };
  emit(event: ReadyEvent): void;
  log?: Log;
}

export class SwitchRestorer {
  constructor(
    private readonly d: SwitchRestorerDeps,
    private readonly handlers: readonly SwitchReadyHandler[],
  ) {}

  /** A switch finished its set-up (first connect or reconnect): every part's rules, in handler order. */
  switchReady(dpid: string): Promise<boolean> {
    return this.send(
      dpid,
      this.handlers.map((h) => h.onSwitchReady(dpid)),
    );
  }

  /**
   * Sends `batches` to the switch, then one BARRIER, then emits their events.
   * Also for rules owed later (a redirect that was settling when the switch came up).
   * Resolves false when there was nothing to send or the switch went away meanwhile.
   */
  async send(dpid: string, batches: SwitchReadyMods[]): Promise<boolean> {
    const target = this.d.switches.get(dpid);
    const count = batches.reduce((n, b) => n + b.mods.length, 0);
    if (!target || count === 0) return false;
    try {
      for (const b of batches) for (const m of b.mods) target.send({ ...m, xid: 0 });
      await target.barrier();
    } catch (err) {
      // Gone again: its next session gets its own switchReady.
      this.d.log?.("warn", `switch ${dpid}: putting back ${count} rule(s) after set-up failed: ${(err as Error).message}`);
      return false;
    }
    for (const b of batches) for (const e of b.confirmed) this.d.emit(e);
    return true;
  }
}
