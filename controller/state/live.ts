// The controller's live parts as the state store sees them: `capture` reads
// what is in force now (DNS records, the redirect history, named nodes, the
// overlay's tunnels with their flows), `restore` puts an earlier run's back
// before any switch connects, so the first switch-ready of each switch
// (openflow/switch-ready.ts) already carries the redirects' and tunnels' flows.
import type { DnsRecords } from "../dns/records.js";
import type { OverlayService } from "../overlay/service.js";
import type { RedirectStore } from "../redirect/store.js";
import type { ControllerSnapshot, StoredNode } from "./records.js";

export interface LiveParts {
  records: DnsRecords;
  redirects: RedirectStore;
  nodes: Map<string, StoredNode>;
  overlay: Pick<OverlayService, "entries" | "adopt">;
}

export function capture(p: LiveParts): ControllerSnapshot {
  return {
    dns: p.records.list(),
    redirects: p.redirects.list(),
    nodes: [...p.nodes].map(([name, n]) => ({ name, node: { dpid: n.dpid, port: n.port, ...(n.site !== undefined && { site: n.site }) } })),
    tunnels: p.overlay.entries().map(({ tunnel, flows }) => ({
      tunnel: { ...tunnel },
      flows: flows ? { dpid: flows.dpid, prefixes: [...flows.prefixes], cookie: `0x${flows.cookie.toString(16)}` } : null,
    })),
  };
}

/** Puts `snap` into the (empty) live parts; answers what could not be restored, for the log. */
export function restore(snap: ControllerSnapshot, p: LiveParts): string[] {
  const notes: string[] = [];
  for (const r of snap.dns) {
    try {
      p.records.restore(r);
    } catch (err) {
      // The zone changed (--zone) since the record was made.
      notes.push(`DNS record ${r.name} not restored: ${(err as Error).message}`);
    }
  }
  p.redirects.restore(snap.redirects);
  for (const { name, node } of snap.nodes) p.nodes.set(name, { ...node });
  p.overlay.adopt(
    snap.tunnels.map((t) => ({
      tunnel: { ...t.tunnel },
      flows: t.flows ? { dpid: t.flows.dpid, prefixes: [...t.flows.prefixes], cookie: BigInt(t.flows.cookie) } : undefined,
    })),
  );
  return notes;
}

/**
 * Replaces the live parts with `snap`, the state in force another controller
 * left in the store (a standby taking over, or refreshing the view it serves):
 * DNS records, the redirect history and named nodes become exactly the
 * snapshot's; tunnels are adopted (added or updated: a tunnel another leader
 * removed stays known here until this controller's next start).
 */
export function reload(snap: ControllerSnapshot, p: LiveParts): string[] {
  const keep = new Set(snap.dns.map((r) => r.name));
  for (const r of p.records.list()) if (!keep.has(r.name)) p.records.delete(r.name);
  const now = new Map(p.records.list().map((r) => [r.name, JSON.stringify(r)]));
  const changed = { ...snap, dns: snap.dns.filter((r) => now.get(r.name) !== JSON.stringify(r)) };
  p.redirects.replace([]);
  p.nodes.clear();
  return restore(changed, p);
}
