// Carries out redirects on the live switches: sends the planned GROUP_MODs
// and FLOW_MODs, removes the old flows, waits for every touched switch's
// BARRIER reply (that wait ends the measured reconfiguration time), then
// moves the host table entry and the DNS record. Rollback restores the
// place, flows and record in force before. A switch that reconnects (its
// table wiped by the controller) gets every active redirect's rules back.
import { performance } from "node:perf_hooks";
import type { FlowMod, GroupMod } from "../../src/openflow/messages.js";
import type { DnsRecords } from "../dns/records.js";
import { COOKIE_FORWARDING, redirectCookie } from "../forwarding/cookies.js";
import type { HostTable } from "../hosts/table.js";
import type { Log } from "../openflow/connection.js";
import type { SwitchRegistry } from "../openflow/registry.js";
import type { SwitchGraph } from "../topology/graph.js";
import {
  deleteByCookie,
  deleteGroup,
  deleteOwnerFlows,
  type GradualInput,
  gradualChanges,
  gradualWeights,
  type Place,
  redirectChanges,
  type Strategy,
  type SwitchChanges,
} from "./plan.js";
import { SettlingServices } from "./settling.js";
import type { RedirectRecord, RedirectStore } from "./store.js";

export class RedirectError extends Error {
  constructor(
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = "RedirectError";
  }
}

export interface RedirectRequest {
  service: string;
  ip: string;
  mac: string;
  to: Place;
  /** Address the service's DNS name answers afterwards (default: ip, the unchanged service address). */
  dnsAddress?: string;
}

export interface RedirectOptions {
  strategy: Strategy;
  /** gradual: number of weight steps and the pause between them. */
  steps?: number;
  stepMs?: number;
}

export interface RedirectDeps {
  registry: SwitchRegistry;
  graph: SwitchGraph;
  hosts: HostTable;
  records: DnsRecords;
  store: RedirectStore;
  emit(event: Record<string, unknown> & { type: string }): void;
  log?: Log;
}

interface Prepared {
  req: RedirectRequest;
  id: number;
  cookie: bigint;
  from: Place | null;
  changes: SwitchChanges[];
  /** Sent after the new flows on every switch: the old redirect's and learned flows for the MAC. */
  cleanup: FlowMod[];
}

/** A gradual redirect between its first and its last step: its select group and branch rules are live. */
interface GradualInFlight {
  service: string;
  /** The step last sent (undefined before the first). */
  step: GradualInput | undefined;
}

/** What one switch gets back for one redirect after it reconnected. */
interface Reinstall {
  id: number;
  service: string;
  cookie: bigint;
  changes: SwitchChanges;
  newWeight?: number;
}

const GRADUAL_FLAG = 0x8000_0000n;

export class RedirectExecutor {
  private readonly settling = new SettlingServices();
  private readonly gradualInFlight = new Map<number, GradualInFlight>();

  constructor(private readonly d: RedirectDeps) {}

  /** Redirects one or more services; answers one record per service. */
  async redirect(reqs: RedirectRequest[], opts: RedirectOptions): Promise<RedirectRecord[]> {
    const t0 = performance.now();
    for (const r of reqs) this.validatePlace(r.to);
    if (opts.strategy === "gradual") {
      const out: RedirectRecord[] = [];
      for (const r of reqs) out.push(await this.gradual(r, opts, performance.now()));
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

  /** all-at-once and per-service redirects. */
  private async instant(reqs: RedirectRequest[], opts: RedirectOptions, t0: number): Promise<RedirectRecord[]> {
    const prepared = reqs.map((r) => this.prepare(r));
    if (opts.strategy === "per-service") {
      // One service at a time, each finished (barriers) before the next starts.
      const out: RedirectRecord[] = [];
      for (const p of prepared) {
        const start = performance.now();
        const touched = await this.apply(p.changes, p.cleanup);
        out.push(this.finish(p, opts.strategy, performance.now() - start, [performance.now() - start], touched));
      }
      return out;
    }
    // All at once: every service's changes go out together, one barrier round.
    const byDpid = new Map<string, SwitchChanges>();
    for (const p of prepared) for (const c of p.changes) mergeInto(byDpid, c);
    const cleanup = prepared.flatMap((p) => p.cleanup);
    const touched = await this.apply([...byDpid.values()], cleanup);
    const ms = performance.now() - t0;
    return prepared.map((p) => this.finish(p, opts.strategy, ms, [ms], touched));
  }

  /** Undoes redirect `id`: the earlier redirect's flows (or learned forwarding) and DNS record come back. */
  async rollback(id: number): Promise<RedirectRecord> {
    const r = this.d.store.get(id);
    if (!r) throw new RedirectError(`no redirect ${id}`, 404);
    if (r.state !== "active") throw new RedirectError(`redirect ${id} is ${r.state}; only the active redirect of a service can be rolled back`, 409);
    this.settling.begin([r.service]);
    try {
      return await this.undo(r);
    } finally {
      this.settled([r.service]);
    }
  }

  private async undo(r: RedirectRecord): Promise<RedirectRecord> {
    const t0 = performance.now();
    const prev = this.d.store.previous(r);
    const mac = r.mac;
    let changes: SwitchChanges[] = [];
    let cookie = BigInt(r.cookie);
    const newId = this.d.store.allocateId();
    const restoreTo = prev ? prev.to : r.from;
    if (prev) {
      cookie = redirectCookie(newId);
      changes = redirectChanges({ ip: r.ip, mac }, this.d.graph.nextHopsToward(prev.to.dpid, prev.to.port), cookie);
    }
    const cleanup = [deleteByCookie(BigInt(r.cookie)), deleteOwnerFlows(COOKIE_FORWARDING, { ethDst: mac }), deleteOwnerFlows(COOKIE_FORWARDING, { ethSrc: mac })];
    const touched = await this.apply(changes, cleanup);
    const ms = performance.now() - t0;
    if (restoreTo) this.d.hosts.place(mac, restoreTo.dpid, restoreTo.port, Date.now(), r.ip);
    const dnsNow = this.d.records.get(r.service)?.ip ?? null;
    if (r.dnsBefore === null) this.d.records.delete(r.service);
    else this.d.records.set(r.service, r.dnsBefore);
    r.state = "rolled-back";
    const record: RedirectRecord = {
      id: newId,
      service: r.service,
      ip: r.ip,
      mac,
      to: restoreTo ?? r.to,
      from: r.to,
      strategy: "all-at-once",
      cookie: `0x${cookie.toString(16)}`,
      dnsBefore: dnsNow,
      dnsAfter: r.dnsBefore,
      reconfigurationMs: round(ms),
      stepsMs: [round(ms)],
      switches: touched.switches,
      flowMods: touched.flowMods,
      at: new Date().toISOString(),
      state: prev ? "active" : "rolled-back",
      rollbackOf: r.id,
    };
    this.d.store.add(record);
    this.d.emit({ type: "redirect.rolledBack", redirect: record });
    return record;
  }

  /**
   * Links changed: recomputes every active redirect's rules along the new
   * shortest paths (same cookies, so each ADD replaces its old rule in place).
   */
  refresh(): void {
    for (const r of this.d.store.list()) {
      if (r.state !== "active" || !this.d.registry.has(r.to.dpid)) continue;
      const changes = redirectChanges(r, this.reachable(this.d.graph.nextHopsToward(r.to.dpid, r.to.port)), BigInt(r.cookie));
      for (const c of changes) {
        const conn = this.d.registry.get(c.dpid);
        try {
          for (const f of c.flowMods) conn?.send({ ...f, xid: 0 });
        } catch {
          // disconnected meanwhile: it gets the rules back when it reconnects (reinstall)
        }
      }
    }
  }

  /**
   * A switch came up with an empty table (a new OpenFlow session): sends it
   * the rules of every active redirect whose paths cross it, and the group
   * and branch rules of a gradual redirect under way, then one BARRIER;
   * emits `redirect.reinstalled` per redirect once the switch answered.
   * `only` limits it to one service. Resolves with the number of redirects.
   */
  async reinstall(dpid: string, only?: string): Promise<number> {
    const conn = this.d.registry.get(dpid);
    if (!conn) return 0;
    const batch: Reinstall[] = [];
    for (const r of this.d.store.list()) {
      if (r.state !== "active" || (only !== undefined && r.service !== only)) continue;
      if (this.settling.defer(r.service, dpid) || !this.d.registry.has(r.to.dpid)) continue;
      const port = this.reachable(this.d.graph.nextHopsToward(r.to.dpid, r.to.port)).get(dpid);
      if (port === undefined) continue; // not on its paths yet: link discovery refreshes it later
      const cookie = BigInt(r.cookie);
      const [changes] = redirectChanges(r, new Map([[dpid, port]]), cookie);
      if (changes) batch.push({ id: r.id, service: r.service, cookie, changes });
    }
    for (const [id, g] of this.gradualInFlight) {
      if (!g.step || (only !== undefined && g.service !== only) || this.settling.defer(g.service, dpid)) continue;
      const changes = gradualChanges({ ...g.step, groupCommand: "add" }, true).find((c) => c.dpid === dpid);
      if (!changes) continue;
      // Delete first so the ADD cannot clash with a group a concurrent step already re-made.
      changes.groupMods.unshift(deleteGroup(g.step.groupId));
      batch.push({ id, service: g.service, cookie: g.step.cookie, changes, newWeight: g.step.newWeight });
    }
    if (batch.length === 0) return 0;
    try {
      for (const b of batch) {
        for (const m of b.changes.groupMods) conn.send({ ...m, xid: 0 });
        for (const f of b.changes.flowMods) conn.send({ ...f, xid: 0 });
      }
      await conn.barrier();
    } catch (err) {
      // Gone again: the next session gets its own reinstall.
      this.d.log?.("warn", `switch ${dpid}: re-installing ${batch.length} redirect(s) failed: ${(err as Error).message}`);
      return 0;
    }
    for (const b of batch) {
      this.d.emit({
        type: "redirect.reinstalled",
        dpid,
        redirectId: b.id,
        service: b.service,
        cookie: `0x${b.cookie.toString(16)}`,
        flowMods: b.changes.flowMods.length,
        groupMods: b.changes.groupMods.length,
        ...(b.newWeight === undefined ? {} : { gradual: true, newWeight: b.newWeight }),
      });
    }
    return batch.length;
  }

  /** Ends a change; switches that reconnected during it now get what is in force. */
  private settled(services: string[]): void {
    for (const { service, dpids } of this.settling.end(services)) {
      for (const dpid of dpids) void this.reinstall(dpid, service);
    }
  }

  private validatePlace(to: Place): void {
    const conn = this.d.registry.get(to.dpid);
    if (!conn) throw new RedirectError(`switch ${to.dpid} is not connected`);
    if (!conn.ports.has(to.port)) throw new RedirectError(`switch ${to.dpid} has no port ${to.port}`);
    if (this.d.graph.isSwitchPort(to.dpid, to.port)) throw new RedirectError(`port ${to.dpid}:${to.port} leads to another switch, not to a host`);
  }

  private prepare(req: RedirectRequest): Prepared {
    const id = this.d.store.allocateId();
    const cookie = redirectCookie(id);
    const active = this.d.store.active(req.service);
    const known = this.d.hosts.get(req.mac);
    // Where the service is now: what the network last saw beats what we last ordered.
    const from = known ? { dpid: known.dpid, port: known.port } : active ? active.to : null;
    const hops = this.reachable(this.d.graph.nextHopsToward(req.to.dpid, req.to.port));
    const changes = redirectChanges(req, hops, cookie);
    const cleanup = [deleteOwnerFlows(COOKIE_FORWARDING, { ethDst: req.mac }), deleteOwnerFlows(COOKIE_FORWARDING, { ethSrc: req.mac })];
    if (active) cleanup.unshift(deleteByCookie(BigInt(active.cookie)));
    return { req, id, cookie, from, changes, cleanup };
  }

  private async gradual(req: RedirectRequest, opts: RedirectOptions, t0: number): Promise<RedirectRecord> {
    const p = this.prepare(req);
    if (!p.from || (p.from.dpid === req.to.dpid && p.from.port === req.to.port)) {
      throw new RedirectError("a gradual redirect needs the service's current place (the controller has not seen it, or it is already there)");
    }
    const oldHops = this.reachable(this.d.graph.nextHopsToward(p.from.dpid, p.from.port));
    const newHops = this.reachable(this.d.graph.nextHopsToward(req.to.dpid, req.to.port));
    const groupId = p.id;
    const oldVid = 2 + ((p.id * 2) % 4000);
    const phaseCookie = p.cookie | GRADUAL_FLAG;
    const flight: GradualInFlight = { service: req.service, step: undefined };
    this.gradualInFlight.set(p.id, flight);
    let finalizing = false;
    try {
      const stepsMs: number[] = [];
      const switches = new Set<string>();
      let flowMods = 0;
      const weights = gradualWeights(opts.steps ?? 4);
      for (let i = 0; i < weights.length; i++) {
        const start = performance.now();
        const step: GradualInput = { svc: req, old: p.from, target: req.to, oldHops, newHops, cookie: phaseCookie, groupId, oldVid, newVid: oldVid + 1, newWeight: weights[i] as number, groupCommand: i === 0 ? "add" : "modify" };
        const changes = gradualChanges(step, i === 0);
        // Set before sending: a switch that reconnects from here on must get this step's weights.
        flight.step = step;
        const touched = await this.apply(changes, []);
        for (const s of touched.switches) switches.add(s);
        flowMods += touched.flowMods;
        stepsMs.push(round(performance.now() - start));
        this.d.emit({ type: "redirect.step", service: req.service, newWeight: weights[i], ms: stepsMs[stepsMs.length - 1] });
        if (i < weights.length - 1) await new Promise((r) => setTimeout(r, opts.stepMs ?? 500));
      }
      // Last: plain destination rules replace the split, and the group goes.
      // From here a reconnecting switch waits for the outcome instead of getting the split back.
      finalizing = true;
      this.settling.begin([req.service]);
      const start = performance.now();
      const finalCleanup = [...p.cleanup, deleteByCookie(phaseCookie)];
      const touched = await this.apply(p.changes, finalCleanup, [deleteGroup(groupId)]);
      stepsMs.push(round(performance.now() - start));
      for (const s of touched.switches) switches.add(s);
      const ms = performance.now() - t0;
      return this.finish(p, "gradual", ms, stepsMs, { switches: [...switches].sort(), flowMods: flowMods + touched.flowMods });
    } finally {
      this.gradualInFlight.delete(p.id);
      if (finalizing) this.settled([req.service]);
    }
  }

  /** Only switches that are connected right now get changes. */
  private reachable(hops: Map<string, number>): Map<string, number> {
    for (const dpid of [...hops.keys()]) if (!this.d.registry.has(dpid)) hops.delete(dpid);
    return hops;
  }

  /**
   * Sends each switch its changes, then `cleanup` to every connected switch,
   * then a BARRIER to each; resolves when all barriers are answered.
   */
  private async apply(changes: SwitchChanges[], cleanup: FlowMod[], trailing: GroupMod[] = []): Promise<{ switches: string[]; flowMods: number }> {
    const byDpid = new Map<string, SwitchChanges>();
    for (const c of changes) mergeInto(byDpid, c);
    if (cleanup.length > 0 || trailing.length > 0) for (const dpid of this.d.registry.dpids()) mergeInto(byDpid, { dpid, groupMods: [], flowMods: [] });
    let flowMods = 0;
    const barriers: Promise<void>[] = [];
    for (const [dpid, c] of byDpid) {
      const conn = this.d.registry.get(dpid);
      if (!conn) continue;
      try {
        for (const g of c.groupMods) conn.send({ ...g, xid: 0 });
        for (const f of c.flowMods) conn.send({ ...f, xid: 0 });
        for (const f of cleanup) conn.send({ ...f, xid: 0 });
        for (const g of trailing) conn.send({ ...g, xid: 0 });
      } catch (err) {
        throw new RedirectError(`switch ${dpid}: ${(err as Error).message}`, 502);
      }
      flowMods += c.flowMods.length + cleanup.length;
      barriers.push(conn.barrier());
    }
    try {
      await Promise.all(barriers);
    } catch (err) {
      throw new RedirectError(`a switch refused the redirect: ${(err as Error).message}`, 502);
    }
    return { switches: [...byDpid.keys()].sort(), flowMods };
  }

  private finish(p: Prepared, strategy: Strategy, ms: number, stepsMs: number[], touched: { switches: string[]; flowMods: number }): RedirectRecord {
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
      reconfigurationMs: round(ms),
      stepsMs: stepsMs.map(round),
      switches: touched.switches,
      flowMods: touched.flowMods,
      at: new Date().toISOString(),
      state: "active",
    };
    this.d.store.add(record);
    this.d.emit({ type: "redirect", redirect: record });
    return record;
  }
}

function mergeInto(m: Map<string, SwitchChanges>, c: SwitchChanges): void {
  const known = m.get(c.dpid);
  if (!known) m.set(c.dpid, { dpid: c.dpid, groupMods: [...c.groupMods], flowMods: [...c.flowMods] });
  else {
    known.groupMods.push(...c.groupMods);
    known.flowMods.push(...c.flowMods);
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
