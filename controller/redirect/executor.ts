// Carries out redirects on the live switches: sends the planned GROUP_MODs
// and FLOW_MODs, removes the old flows, waits for every touched switch's
// BARRIER reply (that wait ends the measured reconfiguration time), then
// moves the host table entry and the DNS record. Rollback restores the
// place, flows and record in force before. A switch that reconnects (its
// table wiped by the controller) gets every active redirect's rules back:
// the executor answers them as a SwitchReadyHandler, and the controller's
// one SwitchRestorer sends them.
//
// This is the facade: it validates, prepares and finishes every redirect and
// runs the instant strategies itself; the gradual strategy (gradual.ts),
// rollback (rollback.ts) and what a reconnected switch is owed (owed.ts) live
// apart and get what they need from here explicitly.
import { performance } from "node:perf_hooks";
import { ApiError } from "../../src/http/api-error.js";
import type { FlowMod, PacketIn } from "../../src/openflow/messages.js";
import { COOKIE_FORWARDING, redirectCookie } from "../openflow/cookies.js";
import type { SwitchReadyHandler, SwitchReadyMods } from "../openflow/switch-ready.js";
import { applyChanges, connectedOnly, mergeInto } from "./apply.js";
import { GradualRedirects } from "./gradual.js";
import { HeldRedirects, portIsDown } from "./hold.js";
import { deleteByCookie, deleteOwnerFlows, type Place, redirectChanges, type Strategy, type SwitchChanges } from "./plan.js";
import { type OwedDeps, redirectsOwedTo } from "./owed.js";
import { undoRedirect } from "./rollback.js";
import { SettlingServices } from "./settling.js";
import type { RedirectRecord } from "./store.js";
import { type Prepared, type RedirectDeps, type RedirectOptions, type RedirectRequest, roundMs, type Touched } from "./types.js";

// The public API stays importable from here.
export type { RedirectDeps, RedirectOptions, RedirectRequest } from "./types.js";

export class RedirectExecutor implements SwitchReadyHandler {
  private readonly settling = new SettlingServices();
  private readonly gradual: GradualRedirects;
  private readonly owedDeps: OwedDeps;
  private readonly holds: HeldRedirects;

  constructor(private readonly d: RedirectDeps) {
    this.holds = new HeldRedirects({ registry: d.registry, emit: (event) => this.d.emit(event) });
    // Arrows keep d's functions called on d, and hand out only what each part needs.
    const emit: RedirectDeps["emit"] = (event) => this.d.emit(event);
    const hopsToward = (place: Place) => this.hopsToward(place);
    this.gradual = new GradualRedirects({
      registry: d.registry,
      emit,
      hopsToward,
      prepare: (req) => this.prepare(req),
      finish: (p, strategy, ms, stepsMs, touched) => this.finish(p, strategy, ms, stepsMs, touched),
      beginSettling: (services) => this.settling.begin(services),
      settled: (services) => this.settled(services),
    });
    this.owedDeps = { registry: d.registry, store: d.store, settling: this.settling, gradual: this.gradual, hopsToward, holdingAt: (id) => this.holds.holdingAt(id) };
  }

  /** Redirects one or more services; answers one record per service. */
  async redirect(reqs: RedirectRequest[], opts: RedirectOptions): Promise<RedirectRecord[]> {
    const t0 = performance.now();
    for (const r of reqs) this.validatePlace(r.to);
    if (opts.strategy === "gradual") {
      const out: RedirectRecord[] = [];
      for (const r of reqs) out.push(await this.gradual.run(r, opts, performance.now()));
      return out;
    }
    const services = reqs.map((r) => r.service);
    this.settling.begin(services);
    try {
      return await this.instant(reqs, opts, t0);
    } finally {
      this.settled(services);
    }
  }

  /** Undoes redirect `id`: the earlier redirect's flows (or learned forwarding) and DNS record come back. */
  async rollback(id: number): Promise<RedirectRecord> {
    const r = this.d.store.get(id);
    if (!r) throw ApiError.notFound(`no redirect ${id}`);
    if (r.state !== "active") throw ApiError.conflict(`redirect ${id} is ${r.state}; only the active redirect of a service can be rolled back`);
    this.holds.end(id);
    this.settling.begin([r.service]);
    try {
      return await undoRedirect(this.d, r);
    } finally {
      this.settled([r.service]);
    }
  }

  /**
   * Links changed: recomputes every active redirect's rules along the new
   * shortest paths (same cookies, so each ADD replaces its old rule in place).
   */
  refresh(): void {
    for (const r of this.d.store.list()) {
      if (r.state !== "active" || !this.d.registry.has(r.to.dpid)) continue;
      const changes = redirectChanges(r, this.hopsToward(r.to), BigInt(r.cookie), this.holds.holdingAt(r.id));
      for (const c of changes) {
        const conn = this.d.registry.get(c.dpid);
        try {
          for (const f of c.flowMods) conn?.send({ ...f, xid: 0 });
        } catch {
          // disconnected meanwhile: it gets the rules back when it reconnects (onSwitchReady)
        }
      }
    }
  }

  /** A switch came up with an empty table (a new OpenFlow session): what the active redirects crossing it need (owed.ts). */
  onSwitchReady(dpid: string): SwitchReadyMods {
    return redirectsOwedTo(this.owedDeps, dpid);
  }

  /** A PACKET_IN sent up by a held redirect's last hop: true when it was one (hold.ts keeps or forwards it). */
  packetIn(dpid: string, pi: PacketIn): boolean {
    return this.holds.packetIn(dpid, pi);
  }

  /** PORT_STATUS says a port is up: redirects held for it send their frames there now. */
  portUp(dpid: string, port: number): void {
    this.holds.portUp(dpid, port);
  }

  /** all-at-once and per-service redirects. */
  private async instant(reqs: RedirectRequest[], opts: RedirectOptions, t0: number): Promise<RedirectRecord[]> {
    const prepared = reqs.map((r) => this.prepare(r, opts.hold === true));
    if (opts.strategy === "per-service") {
      // One service at a time, each finished (barriers) before the next starts.
      const out: RedirectRecord[] = [];
      for (const [i, p] of prepared.entries()) {
        const start = performance.now();
        const touched = await this.applyOrUndo(prepared.slice(i, i + 1), p.changes, p.cleanup, out.length);
        out.push(this.finish(p, opts.strategy, performance.now() - start, [performance.now() - start], touched));
      }
      return out;
    }
    // All at once: every service's changes go out together, one barrier round.
    const byDpid = new Map<string, SwitchChanges>();
    for (const p of prepared) for (const c of p.changes) mergeInto(byDpid, c);
    const cleanup = prepared.flatMap((p) => p.cleanup);
    const touched = await this.applyOrUndo(prepared, [...byDpid.values()], cleanup, 0);
    const ms = performance.now() - t0;
    return prepared.map((p) => this.finish(p, opts.strategy, ms, [ms], touched));
  }

  /**
   * Applies `prepared`'s changes; when a switch refuses them, undoes what may
   * have landed (each new cookie's flows go, the redirects in force before are
   * put back, learned forwarding comes back with traffic) and answers so.
   */
  private async applyOrUndo(prepared: Prepared[], changes: SwitchChanges[], cleanup: FlowMod[], doneBefore: number): Promise<Touched> {
    try {
      return await applyChanges(this.d.registry, changes, cleanup);
    } catch (err) {
      const undo = prepared.map((p) => deleteByCookie(p.cookie));
      const confirmed = await applyChanges(this.d.registry, [], undo).then(() => true, () => false);
      this.refresh();
      const services = prepared.map((p) => p.req.service).join(", ");
      const message = `${(err as Error).message}; undone: the flows of ${services} were deleted${confirmed ? "" : " where a switch still answers"} and the redirects in force before put back${doneBefore > 0 ? ` (the ${doneBefore} service(s) redirected before stay redirected)` : ""}`;
      throw new ApiError(502, "SWITCH_FAILED", message, { undone: true, services: prepared.map((p) => p.req.service) });
    }
  }

  /** Ends a change; switches that reconnected during it now get what is in force. */
  private settled(services: string[]): void {
    for (const { service, dpids } of this.settling.end(services)) {
      for (const dpid of dpids) void this.d.restore(dpid, [redirectsOwedTo(this.owedDeps, dpid, service)]);
    }
  }

  private validatePlace(to: Place): void {
    const conn = this.d.registry.get(to.dpid);
    if (!conn) throw ApiError.badRequest(`switch ${to.dpid} is not connected`);
    if (!conn.ports.has(to.port)) throw ApiError.badRequest(`switch ${to.dpid} has no port ${to.port}`);
    if (this.d.graph.isSwitchPort(to.dpid, to.port)) throw ApiError.badRequest(`port ${to.dpid}:${to.port} leads to another switch, not to a host`);
  }

  /** Next hop per connected switch toward `place`. */
  private hopsToward(place: Place): Map<string, number> {
    return connectedOnly(this.d.registry, this.d.graph.nextHopsToward(place.dpid, place.port));
  }

  private prepare(req: RedirectRequest, hold = false): Prepared {
    const id = this.d.store.allocateId();
    const cookie = redirectCookie(id);
    const active = this.d.store.active(req.service);
    const known = this.d.hosts.get(req.mac);
    // Where the service is now: what the network last saw beats what we last ordered.
    const from = known ? { dpid: known.dpid, port: known.port } : active ? active.to : null;
    const holdAt = hold && portIsDown(this.d.registry.get(req.to.dpid)?.ports.get(req.to.port)) ? req.to.dpid : undefined;
    const changes = redirectChanges(req, this.hopsToward(req.to), cookie, holdAt);
    const cleanup = [deleteOwnerFlows(COOKIE_FORWARDING, { ethDst: req.mac }), deleteOwnerFlows(COOKIE_FORWARDING, { ethSrc: req.mac })];
    if (active) cleanup.unshift(deleteByCookie(BigInt(active.cookie)));
    return { req, id, cookie, from, changes, cleanup, ...(holdAt && { holdAt }) };
  }

  private finish(p: Prepared, strategy: Strategy, ms: number, stepsMs: number[], touched: Touched): RedirectRecord {
    const { req } = p;
    this.d.hosts.place(req.mac, req.to.dpid, req.to.port, Date.now(), req.ip);
    const dnsBefore = this.d.records.get(req.service)?.ip ?? null;
    const dnsAfter = req.dnsAddress ?? req.ip;
    this.d.records.set(req.service, dnsAfter);
    const record: RedirectRecord = {
      id: p.id,
      service: req.service,
      ip: req.ip,
      mac: req.mac,
      to: req.to,
      from: p.from,
      strategy,
      cookie: `0x${p.cookie.toString(16)}`,
      dnsBefore,
      dnsAfter,
      reconfigurationMs: roundMs(ms),
      stepsMs: stepsMs.map(roundMs),
      switches: touched.switches,
      flowMods: touched.flowMods,
      at: new Date().toISOString(),
      state: "active",
    };
    const replaced = this.d.store.active(req.service);
    if (replaced) this.holds.end(replaced.id);
    this.d.store.add(record);
    if (p.holdAt) this.holds.begin(record, p.cookie, req);
    this.d.emit({ type: "redirect", redirect: record });
    return record;
  }
}
