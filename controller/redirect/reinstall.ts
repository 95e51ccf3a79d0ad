// A switch that reconnects starts a new OpenFlow session with an empty table,
// so it must get back the rules of every active redirect whose paths cross it
// (and the split of a gradual redirect under way), unless that service is
// settling: then it waits and gets whatever is in force afterwards.
import type { SwitchRegistry } from "../openflow/registry.js";
import type { GradualInFlight } from "./gradual.js";
import { deleteGroup, gradualChanges, type Place, redirectChanges, type SwitchChanges } from "./plan.js";
import type { SettlingServices } from "./settling.js";
import type { RedirectStore } from "./store.js";
import type { RedirectDeps } from "./types.js";

export interface ReinstallDeps {
  registry: SwitchRegistry;
  store: RedirectStore;
  settling: SettlingServices;
  gradual: { underWay(): Iterable<[number, GradualInFlight]> };
  emit: RedirectDeps["emit"];
  log?: RedirectDeps["log"];
  /** Next hop per connected switch toward `place`. */
  hopsToward(place: Place): Map<string, number>;
}

/** What one switch gets back for one redirect after it reconnected. */
interface Reinstall {
  id: number;
  service: string;
  cookie: bigint;
  changes: SwitchChanges;
  newWeight?: number;
}

/**
 * Sends switch `dpid` the rules of every active redirect whose paths cross
 * it, and the group and branch rules of a gradual redirect under way, then
 * one BARRIER; emits `redirect.reinstalled` per redirect once the switch
 * answered. `only` limits it to one service. Resolves with the number of redirects.
 */
export async function reinstall(d: ReinstallDeps, dpid: string, only?: string): Promise<number> {
  const conn = d.registry.get(dpid);
  if (!conn) return 0;
  const batch = owedTo(d, dpid, only);
  if (batch.length === 0) return 0;
  try {
    for (const b of batch) {
      for (const m of b.changes.groupMods) conn.send({ ...m, xid: 0 });
      for (const f of b.changes.flowMods) conn.send({ ...f, xid: 0 });
    }
    await conn.barrier();
  } catch (err) {
    // Gone again: the next session gets its own reinstall.
    d.log?.("warn", `switch ${dpid}: re-installing ${batch.length} redirect(s) failed: ${(err as Error).message}`);
    return 0;
  }
  for (const b of batch) {
    d.emit({
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

/** The redirects switch `dpid` must get back now; settling services are deferred (remembered) instead. */
function owedTo(d: ReinstallDeps, dpid: string, only: string | undefined): Reinstall[] {
  const batch: Reinstall[] = [];
  for (const r of d.store.list()) {
    if (r.state !== "active" || (only !== undefined && r.service !== only)) continue;
    if (d.settling.defer(r.service, dpid) || !d.registry.has(r.to.dpid)) continue;
    const port = d.hopsToward(r.to).get(dpid);
    if (port === undefined) continue; // not on its paths yet: link discovery refreshes it later
    const cookie = BigInt(r.cookie);
    const [changes] = redirectChanges(r, new Map([[dpid, port]]), cookie);
    if (changes) batch.push({ id: r.id, service: r.service, cookie, changes });
  }
  for (const [id, g] of d.gradual.underWay()) {
    if (!g.step || (only !== undefined && g.service !== only) || d.settling.defer(g.service, dpid)) continue;
    const changes = gradualChanges({ ...g.step, groupCommand: "add" }, true).find((c) => c.dpid === dpid);
    if (!changes) continue;
    // Delete first so the ADD cannot clash with a group a concurrent step already re-made.
    changes.groupMods.unshift(deleteGroup(g.step.groupId));
    batch.push({ id, service: g.service, cookie: g.step.cookie, changes, newWeight: g.step.newWeight });
  }
  return batch;
}
