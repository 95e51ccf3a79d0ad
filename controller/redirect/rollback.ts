// Undoing a redirect: the earlier redirect's rules (or, without one, learned
// forwarding) come back, with the place and DNS record in force before.
// Recorded as a redirect of its own so the history shows what was undone.
import { performance } from "node:perf_hooks";
import { COOKIE_FORWARDING, redirectCookie } from "../openflow/cookies.js";
import { applyChanges } from "./apply.js";
import { deleteByCookie, deleteOwnerFlows, redirectChanges, type SwitchChanges } from "./plan.js";
import type { RedirectRecord } from "./store.js";
import { type RedirectDeps, roundMs } from "./types.js";

/** Undoes active redirect `r` (the caller checked it and marks the service settling). */
export async function undoRedirect(d: RedirectDeps, r: RedirectRecord): Promise<RedirectRecord> {
  const t0 = performance.now();
  const prev = d.store.previous(r);
  const mac = r.mac;
  let changes: SwitchChanges[] = [];
  let cookie = BigInt(r.cookie);
  const newId = d.store.allocateId();
  const restoreTo = prev ? prev.to : r.from;
  if (prev) {
    cookie = redirectCookie(newId);
    changes = redirectChanges({ ip: r.ip, mac }, d.graph.nextHopsToward(prev.to.dpid, prev.to.port), cookie);
  }
  const cleanup = [deleteByCookie(BigInt(r.cookie)), deleteOwnerFlows(COOKIE_FORWARDING, { ethDst: mac }), deleteOwnerFlows(COOKIE_FORWARDING, { ethSrc: mac })];
  const touched = await applyChanges(d.registry, changes, cleanup);
  const ms = performance.now() - t0;
  if (restoreTo) d.hosts.place(mac, restoreTo.dpid, restoreTo.port, Date.now(), r.ip);
  const dnsNow = d.records.get(r.service)?.ip ?? null;
  if (r.dnsBefore === null) d.records.delete(r.service);
  else d.records.set(r.service, r.dnsBefore);
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
    reconfigurationMs: roundMs(ms),
    stepsMs: [roundMs(ms)],
    switches: touched.switches,
    flowMods: touched.flowMods,
    at: new Date().toISOString(),
    state: prev ? "active" : "rolled-back",
    rollbackOf: r.id,
  };
  d.store.add(record);
  d.emit({ type: "redirect.rolledBack", redirect: record });
  return record;
}
