// A switch that reconnects starts a new OpenFlow session with an empty table,
// so it must get back the rules of every active redirect whose paths cross it
// (and the split of a gradual redirect under way), unless that service is
// settling: then it waits and gets whatever is in force afterwards. This
// answers what is owed; SwitchRestorer (openflow/switch-ready.ts) sends it.
import type { SwitchRegistry } from "../openflow/registry.js";
import type { SwitchReadyMods } from "../openflow/switch-ready.js";
import type { GradualInFlight } from "./gradual.js";
import { deleteGroup, gradualChanges, type Place, redirectChanges, type SwitchChanges } from "./plan.js";
import type { SettlingServices } from "./settling.js";
import type { RedirectStore } from "./store.js";

export interface OwedDeps {
  registry: Pick<SwitchRegistry, "has">;
  store: RedirectStore;
  settling: SettlingServices;
  gradual: { underWay(): Iterable<[number, GradualInFlight]> };
  /** Next hop per connected switch toward `place`. */
  hopsToward(place: Place): Map<string, number>;
  /** The switch whose last hop still holds redirect `id`'s frames at the controller (hold.ts), if any. */
  holdingAt(id: number): string | undefined;
}

/** What one switch gets back for one redirect. */
interface Owed {
  id: number;
  service: string;
  cookie: bigint;
  changes: SwitchChanges;
  newWeight?: number;
}

/**
 * The rules switch `dpid` must get back now, each redirect's group mods before
 * its flow mods, with one `redirect.reinstalled` event per redirect for when
 * the switch confirmed them. `only` limits it to one service. Settling
 * services are deferred (remembered in `settling`) instead.
 */
export function redirectsOwedTo(d: OwedDeps, dpid: string, only?: string): SwitchReadyMods {
  const owed = owedTo(d, dpid, only);
  return {
    mods: owed.flatMap((o) => [...o.changes.groupMods, ...o.changes.flowMods]),
    confirmed: owed.map((o) => ({
      type: "redirect.reinstalled",
      dpid,
      redirectId: o.id,
      service: o.service,
      cookie: `0x${o.cookie.toString(16)}`,
      flowMods: o.changes.flowMods.length,
      groupMods: o.changes.groupMods.length,
      ...(o.newWeight === undefined ? {} : { gradual: true, newWeight: o.newWeight }),
    })),
  };
}

function owedTo(d: OwedDeps, dpid: string, only: string | undefined): Owed[] {
  const batch: Owed[] = [];
  for (const r of d.store.list()) {
    if (r.state !== "active" || (only !== undefined && r.service !== only)) continue;
    if (d.settling.defer(r.service, dpid) || !d.registry.has(r.to.dpid)) continue;
    const port = d.hopsToward(r.to).get(dpid);
    if (port === undefined) continue; // not on its paths yet: link discovery refreshes it later
    const cookie = BigInt(r.cookie);
    const [changes] = redirectChanges(r, new Map([[dpid, port]]), cookie, d.holdingAt(r.id));
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
