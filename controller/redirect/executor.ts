// Carries out redirects on the live switches: sends the planned GROUP_MODs
// and FLOW_MODs, removes the old flows, waits for every touched switch's
// BARRIER reply (that wait ends the measured reconfiguration time), then
// moves the host table entry and the DNS record. Rollback restores the
// place, flows and record in force before.
import { performance } from "node:perf_hooks";
import type { FlowMod, GroupMod } from "../../src/openflow/messages.js";
import type { DnsRecords } from "../dns/records.js";
import { COOKIE_FORWARDING, redirectCookie } from "../forwarding/cookies.js";
import type { HostTable } from "../hosts/table.js";
import type { SwitchRegistry } from "../openflow/registry.js";
import type { SwitchGraph } from "../topology/graph.js";
import {
  deleteByCookie,
  deleteGroup,
  deleteOwnerFlows,
  gradualChanges,
  gradualWeights,
  type Place,
  redirectChanges,
  type Strategy,
  type SwitchChanges,
} from "./plan.js";
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

const GRADUAL_FLAG = 0x8000_0000n;

export class RedirectExecutor {
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
          // disconnected meanwhile: it gets the rules on the next change
        }
      }
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
    const stepsMs: number[] = [];
    const switches = new Set<string>();
    let flowMods = 0;
    const weights = gradualWeights(opts.steps ?? 4);
    for (let i = 0; i < weights.length; i++) {
      const start = performance.now();
      const changes = gradualChanges(
        { svc: req, old: p.from, target: req.to, oldHops, newHops, cookie: phaseCookie, groupId, oldVid, newVid: oldVid + 1, newWeight: weights[i] as number, groupCommand: i === 0 ? "add" : "modify" },
        i === 0,
      );
      const touched = await this.apply(changes, []);
      for (const s of touched.switches) switches.add(s);
      flowMods += touched.flowMods;
      stepsMs.push(round(performance.now() - start));
      this.d.emit({ type: "redirect.step", service: req.service, newWeight: weights[i], ms: stepsMs[stepsMs.length - 1] });
      if (i < weights.length - 1) await new Promise((r) => setTimeout(r, opts.stepMs ?? 500));
    }
    // Last: plain destination rules replace the split, and the group goes.
    const start = performance.now();
    const finalCleanup = [...p.cleanup, deleteByCookie(phaseCookie)];
    const touched = await this.apply(p.changes, finalCleanup, [deleteGroup(groupId)]);
    stepsMs.push(round(performance.now() - start));
    for (const s of touched.switches) switches.add(s);
    const ms = performance.now() - t0;
    return this.finish(p, "gradual", ms, stepsMs, { switches: [...switches].sort(), flowMods: flowMods + touched.flowMods });
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
