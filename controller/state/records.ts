// What the controller keeps across restarts, as keyed records: DNS records by
// name, redirects by id (the whole history: a rollback needs the one before),
// named nodes by name and overlay tunnels by port name. Host places, links and
// learned flows are not kept: the network teaches them again. Pure: the
// journal (journal.ts) persists these; a change puts or deletes one record.
import type { RedirectRecord } from "../../src/api-types/controller.js";
import type { DnsRecord } from "../dns/records.js";
import type { Tunnel } from "../overlay/tunnels.js";

/** A named place for redirects (PUT /v1/nodes/:name). */
export interface StoredNode {
  dpid: string;
  port: number;
  site?: string;
}

/** A tunnel with the flows it owns (cookie as hex text: JSON has no bigint). */
export interface StoredTunnel {
  tunnel: Tunnel;
  flows: { dpid: string | null; prefixes: string[]; cookie: string } | null;
}

export interface ControllerSnapshot {
  dns: DnsRecord[];
  /** In the order they were recorded (a rollback looks back through it). */
  redirects: RedirectRecord[];
  nodes: Array<{ name: string; node: StoredNode }>;
  tunnels: StoredTunnel[];
}

export type ControllerChange =
  | { kind: "dns"; key: string; value: DnsRecord | null }
  | { kind: "redirect"; key: string; value: RedirectRecord | null }
  | { kind: "node"; key: string; value: StoredNode | null }
  | { kind: "tunnel"; key: string; value: StoredTunnel | null };

type Kind = ControllerChange["kind"];
const KINDS: readonly Kind[] = ["dns", "redirect", "node", "tunnel"];

/** A snapshot as keyed records, per kind, in snapshot order. */
function keyed(s: ControllerSnapshot): Record<Kind, Array<[string, unknown]>> {
  return {
    dns: s.dns.map((r) => [r.name, r]),
    redirect: s.redirects.map((r) => [String(r.id), r]),
    node: s.nodes.map(({ name, node }) => [name, node]),
    tunnel: s.tunnels.map((t) => [t.tunnel.portName, t]),
  };
}

/**
 * The records as the journal holds them: per kind, key -> JSON text (what
 * was written, so comparing is exact and cheap). Insertion order is kept, so
 * the redirect history comes back in the order it was made.
 */
export class ControllerTables {
  private readonly tables: Record<Kind, Map<string, string>> = { dns: new Map(), redirect: new Map(), node: new Map(), tunnel: new Map() };

  apply(c: ControllerChange): void {
    if (c.value === null) this.tables[c.kind].delete(c.key);
    else this.tables[c.kind].set(c.key, JSON.stringify(c.value));
  }

  /** The changes that turn these tables into `now`: puts of new or changed records, deletes of gone ones. */
  diff(now: ControllerSnapshot): ControllerChange[] {
    const out: ControllerChange[] = [];
    const wanted = keyed(now);
    for (const kind of KINDS) {
      const table = this.tables[kind];
      const seen = new Set<string>();
      for (const [key, value] of wanted[kind]) {
        seen.add(key);
        if (table.get(key) !== JSON.stringify(value)) out.push({ kind, key, value } as ControllerChange);
      }
      for (const key of table.keys()) if (!seen.has(key)) out.push({ kind, key, value: null });
    }
    return out;
  }

  snapshot(): ControllerSnapshot {
    const values = <T>(kind: Kind) => [...this.tables[kind].values()].map((v) => JSON.parse(v) as T);
    return {
      dns: values<DnsRecord>("dns"),
      redirects: values<RedirectRecord>("redirect"),
      nodes: [...this.tables.node].map(([name, v]) => ({ name, node: JSON.parse(v) as StoredNode })),
      tunnels: values<StoredTunnel>("tunnel"),
    };
  }

  /** The changes that rebuild these tables from nothing (what compaction writes). */
  changes(): ControllerChange[] {
    return KINDS.flatMap((kind) => [...this.tables[kind]].map(([key, v]) => ({ kind, key, value: JSON.parse(v) }) as ControllerChange));
  }

  get size(): number {
    return KINDS.reduce((n, k) => n + this.tables[k].size, 0);
  }
}

/** A change read back from disk: its shape checked, so a corrupt line is dropped rather than restored. */
export function isControllerChange(c: unknown): c is ControllerChange {
  if (typeof c !== "object" || c === null) return false;
  const { kind, key, value } = c as Record<string, unknown>;
  if (typeof key !== "string" || !KINDS.includes(kind as Kind)) return false;
  if (value === null) return true;
  if (typeof value !== "object" || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  switch (kind as Kind) {
    case "dns":
      return v.name === key && typeof v.ip === "string" && typeof v.ttl === "number";
    case "redirect":
      return String(v.id) === key && typeof v.service === "string" && typeof v.cookie === "string" && typeof v.state === "string";
    case "node":
      return typeof v.dpid === "string" && typeof v.port === "number";
    case "tunnel":
      return typeof v.tunnel === "object" && v.tunnel !== null && (v.tunnel as Tunnel).portName === key;
  }
}
