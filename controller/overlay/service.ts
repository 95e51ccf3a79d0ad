// The overlay's executor: makes and removes VXLAN tunnels through the OVSDB
// backend and puts their site-to-site flows on the bridge's switch, one change
// at a time (the checks before a change must still hold when it is made).
// What the flows are is decided by TunnelFlowBook (pure); this shell does the
// I/O and undoes a half-made tunnel. Failures are ApiErrors with the status and
// code they mean (404, 409, 502 OVSDB_FAILED or SWITCH_FAILED, 503 UNAVAILABLE).
//
// API:
//   const overlay = new OverlayService({ backend, switches, log? })
//   await overlay.list() -> TunnelView[] (with live OVSDB state)
//   await overlay.create({bridge, site, remoteIp, key, name, localIp?, prefixes}) -> TunnelView
//   await overlay.remove(name) -> TunnelView (the tunnel as it was)
//   overlay.entries() / overlay.adopt(entries) -> the tunnels with their flows, for the state store
//   overlay.onSwitchReady(dpid) -> the flows a reconnected switch must hold again (SwitchRestorer sends them)
import type { FlowMod } from "../../src/openflow/messages.js";
import type { Log } from "../openflow/connection.js";
import type { FlowTarget, SwitchReadyHandler, SwitchReadyMods } from "../openflow/switch-ready.js";
import { type InterfaceStatus, type OverlayBackend, OverlayUnavailableError } from "./backend.js";
import { ApiError } from "../../src/http/api-error.js";
import { type TunnelFlows, TunnelFlowBook } from "./tunnel-flows.js";
import type { Tunnel } from "./tunnels.js";

export interface OverlayServiceDeps {
  backend: OverlayBackend;
  switches: { get(dpid: string): FlowTarget | undefined };
  log?: Log;
}

export interface CreateTunnel {
  bridge: string;
  site: string;
  remoteIp: string;
  key: number;
  /** Port name (the API defaults it to vx-<site>). */
  name: string;
  localIp?: string;
  /** Normalised address blocks ("10.1.0.0/24", "10.0.0.7"). */
  prefixes: string[];
}

/** A tunnel with the flows it owns and, when read, its live OVSDB state. */
export interface TunnelView {
  tunnel: Tunnel;
  flows?: TunnelFlows;
  /** "up" | "pending" | "error" | "missing" (from OVSDB), "removed". */
  state: string;
  status?: InterfaceStatus;
}

export class OverlayService implements SwitchReadyHandler {
  private readonly book = new TunnelFlowBook();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly d: OverlayServiceDeps) {}

  get target(): string {
    return this.d.backend.target;
  }

  async list(): Promise<TunnelView[]> {
    await this.ready();
    const tunnels = this.d.backend.tunnels();
    const status = await this.d.backend.interfaces(tunnels.map((t) => t.portName));
    return tunnels.map((t) => {
      const s = status.get(t.portName);
      return { tunnel: t, flows: this.book.of(t.portName), state: liveState(s), status: s };
    });
  }

  create(req: CreateTunnel): Promise<TunnelView> {
    return this.serialize(async () => {
      const { backend } = this.d;
      const name = req.name;
      if (this.byName(name)) throw ApiError.conflict(`a tunnel named ${name} already exists`);
      const same = backend.tunnels().find((t) => t.bridge === req.bridge && t.remoteSite === req.site);
      if (same) throw ApiError.conflict(`bridge ${req.bridge} already has tunnel ${same.portName} to site ${req.site}; delete it first`);
      await this.ready();
      const bridge = await backend.bridge(req.bridge);
      if (!bridge) throw ApiError.notFound(`OVSDB (${backend.target}) has no bridge named ${req.bridge}`);
      if ((await backend.interfaces([name])).has(name)) throw ApiError.conflict(`OVS already has an interface named ${name}`);
      let target: FlowTarget | undefined;
      if (req.prefixes.length > 0) {
        target = bridge.datapathId ? this.d.switches.get(bridge.datapathId) : undefined;
        if (!target) {
          throw ApiError.conflict(
            `the switch of bridge ${req.bridge} (datapath ${bridge.datapathId ?? "unknown"}) is not connected to this controller, so the tunnel's flows cannot be installed`,
          );
        }
      }

      let tunnel: Tunnel;
      try {
        tunnel = await backend.connect({ bridge: req.bridge, remoteSite: req.site, remoteIp: req.remoteIp, key: req.key, localIp: req.localIp, portName: name });
      } catch (err) {
        throw new ApiError(502, "OVSDB_FAILED", `OVSDB could not create ${name}: ${(err as Error).message}`);
      }
      const flows = this.book.allocate(bridge.datapathId, req.prefixes);
      if (target) {
        try {
          await send(target, this.book.installMods(tunnel, flows));
        } catch (err) {
          // Leave nothing half-made: the flows that may have landed (by their cookie), then the port; and say what was undone.
          const flowsGone = await send(target, this.book.removeMods(flows)).then(() => true, () => false);
          const portGone = await backend.disconnect(req.bridge, req.site).then(() => true, () => false);
          const undo = [
            portGone ? "the tunnel was removed again" : `removing port ${name} again failed too: delete it with DELETE /v1/overlay/tunnels/${name}`,
            flowsGone ? "and its flows deleted" : "its flows go when the switch reconnects (the controller clears it)",
          ].join("; ");
          throw new ApiError(502, "SWITCH_FAILED", `installing the flows of ${name} on ${bridge.datapathId} failed (${(err as Error).message}); ${undo}`, {
            undone: { port: portGone, flows: flowsGone },
          });
        }
      }
      this.book.record(name, flows);
      return { tunnel, flows, state: "up" };
    });
  }

  remove(name: string): Promise<TunnelView> {
    return this.serialize(async () => {
      const t = this.byName(name);
      if (!t) throw ApiError.notFound(`no overlay tunnel named ${name}`);
      await this.ready();
      const flows = this.book.of(t.portName);
      // A switch that is not connected has no flows to remove: the controller wipes it when it comes back.
      const target = flows?.dpid && flows.prefixes.length > 0 ? this.d.switches.get(flows.dpid) : undefined;
      if (flows && target) await send(target, this.book.removeMods(flows));
      try {
        await this.d.backend.disconnect(t.bridge, t.remoteSite);
      } catch (err) {
        throw new ApiError(502, "OVSDB_FAILED", `OVSDB could not remove ${t.portName}: ${(err as Error).message}`);
      }
      this.book.forget(t.portName);
      return { tunnel: t, flows, state: "removed" };
    });
  }

  /** Every tunnel this controller made, with the flows it owns (what the state store keeps). */
  entries(): Array<{ tunnel: Tunnel; flows: TunnelFlows | undefined }> {
    return this.d.backend.tunnels().map((tunnel) => ({ tunnel, flows: this.book.of(tunnel.portName) }));
  }

  /** Tunnels kept from an earlier run: known again with their flows' cookies; a switch gets the flows when it connects. */
  adopt(entries: Array<{ tunnel: Tunnel; flows: TunnelFlows | undefined }>): void {
    this.d.backend.adopt(entries.map((e) => e.tunnel));
    for (const e of entries) if (e.flows) this.book.record(e.tunnel.portName, e.flows);
  }

  onSwitchReady(dpid: string): SwitchReadyMods {
    return { mods: this.book.onSwitchReady(dpid, this.d.backend.tunnels()), confirmed: [] };
  }

  private byName(name: string): Tunnel | undefined {
    return this.d.backend.tunnels().find((t) => t.portName === name);
  }

  private async ready(): Promise<void> {
    try {
      await this.d.backend.ready();
    } catch (err) {
      if (err instanceof OverlayUnavailableError) throw new ApiError(503, "UNAVAILABLE", err.message);
      throw err;
    }
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }
}

async function send(target: FlowTarget, mods: FlowMod[]): Promise<void> {
  for (const m of mods) target.send(m);
  await target.barrier();
}

function liveState(status: InterfaceStatus | undefined): string {
  if (!status) return "missing";
  if (status.error) return "error";
  return status.ofport !== null && status.ofport > 0 ? "up" : "pending";
}
