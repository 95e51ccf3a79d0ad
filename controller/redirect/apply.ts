// Sends planned changes to the live switches and waits for their BARRIER
// replies: that wait is what every strategy measures as reconfiguration time.
import { ApiError } from "../../src/http/api-error.js";
import type { FlowMod, GroupMod } from "../../src/openflow/messages.js";
import type { SwitchRegistry } from "../openflow/registry.js";
import type { SwitchChanges } from "./plan.js";
import type { Touched } from "./types.js";

/**
 * Sends each switch its changes, then `cleanup` to every connected switch,
 * then a BARRIER to each; resolves when all barriers are answered.
 */
export async function applyChanges(registry: SwitchRegistry, changes: SwitchChanges[], cleanup: FlowMod[], trailing: GroupMod[] = []): Promise<Touched> {
  const byDpid = new Map<string, SwitchChanges>();
  for (const c of changes) mergeInto(byDpid, c);
  if (cleanup.length > 0 || trailing.length > 0) for (const dpid of registry.dpids()) mergeInto(byDpid, { dpid, groupMods: [], flowMods: [] });
  let flowMods = 0;
  const barriers: Promise<void>[] = [];
  for (const [dpid, c] of byDpid) {
    const conn = registry.get(dpid);
    if (!conn) continue;
    try {
      for (const g of c.groupMods) conn.send({ ...g, xid: 0 });
      for (const f of c.flowMods) conn.send({ ...f, xid: 0 });
      for (const f of cleanup) conn.send({ ...f, xid: 0 });
      for (const g of trailing) conn.send({ ...g, xid: 0 });
    } catch (err) {
      throw new ApiError(502, "SWITCH_FAILED", `switch ${dpid}: ${(err as Error).message}`);
    }
    flowMods += c.flowMods.length + cleanup.length;
    barriers.push(conn.barrier());
  }
  try {
    await Promise.all(barriers);
  } catch (err) {
    throw new ApiError(502, "SWITCH_FAILED", `a switch refused the redirect: ${(err as Error).message}`);
  }
  return { switches: [...byDpid.keys()].sort(), flowMods };
}

/** Only switches that are connected right now get changes (drops the others from `hops` in place). */
export function connectedOnly(registry: SwitchRegistry, hops: Map<string, number>): Map<string, number> {
  for (const dpid of [...hops.keys()]) if (!registry.has(dpid)) hops.delete(dpid);
  return hops;
}

/** Adds `c` to the switch's entry in `m` (copying, so the caller's plan is not mutated). */
export function mergeInto(m: Map<string, SwitchChanges>, c: SwitchChanges): void {
  const known = m.get(c.dpid);
  if (!known) m.set(c.dpid, { dpid: c.dpid, groupMods: [...c.groupMods], flowMods: [...c.flowMods] });
  else {
    known.groupMods.push(...c.groupMods);
    known.flowMods.push(...c.flowMods);
  }
}
