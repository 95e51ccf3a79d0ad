// The live DNS table of the controller: service name -> IPv4 address, with
// the zone rules every writer (API, redirect, tests) must follow.
//
// API (small on purpose):
//   DEFAULT_ZONE, DEFAULT_TTL_S
//   normalizeZone(zone)                  -> "svc.fleximigrate.local" (lower case, no trailing dot); throws on a bad zone
//   qualifyName(name, zone)              -> {ok:true, fqdn} | {ok:false, error}: "web" and "web.<zone>[.]" both name web.<zone>
//   inZone(fqdn, zone)                   -> is the name the zone apex or below it
//   validateIpv4(ip)                     -> null when a dotted-quad IPv4, else the reason
//   new DnsRecords({zone, ttl, now})     -> the table: set(name, ip, ttl?), restore(record), delete(name), get(name), list(), size
// Names given to the table may be relative or fully qualified; they are stored fully qualified, lower case.
import { Validator } from "ip-num";

export const DEFAULT_ZONE = "svc.fleximigrate.local";
/** Short, so resolvers follow a migrated service within seconds. */
export const DEFAULT_TTL_S = 5;
export const MAX_TTL_S = 86_400;

export interface DnsRecord {
  /** Fully qualified, lower case, without the trailing dot. */
  name: string;
  ip: string;
  ttl: number;
  /** ISO 8601 time of the last change. */
  updatedAt: string;
}

export type Qualified = { ok: true; fqdn: string } | { ok: false; error: string };

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The reason `label` is not a DNS host label (RFC 1123 letters, digits, hyphens), or null. */
export function labelError(label: string): string | null {
  if (label.length === 0) return "empty label";
  if (label.length > 63) return `label '${label.slice(0, 20)}...' is longer than 63 characters`;
  if (!LABEL.test(label)) return `label '${label}' must hold only letters, digits and inner hyphens`;
  return null;
}

export function normalizeZone(zone: string): string {
  const z = zone.trim().toLowerCase().replace(/\.$/, "");
  if (z.length === 0 || z.length > 253) throw new Error(`invalid DNS zone '${zone}'`);
  for (const label of z.split(".")) {
    const err = labelError(label);
    if (err) throw new Error(`invalid DNS zone '${zone}': ${err}`);
  }
  return z;
}

export function inZone(fqdn: string, zone: string): boolean {
  const n = fqdn.toLowerCase().replace(/\.$/, "");
  return n === zone || n.endsWith(`.${zone}`);
}

/**
 * Turns a record name into its fully qualified form inside `zone`.
 * "web" -> "web.<zone>"; "web.<zone>" and "web.<zone>." stay; a name with a
 * trailing dot outside the zone, or the zone apex itself, is refused.
 */
export function qualifyName(name: string, zone: string): Qualified {
  // Never trimmed: " web" is a bad name, not another spelling of "web".
  const raw = name.toLowerCase();
  if (raw.length === 0) return { ok: false, error: "name is empty" };
  const absolute = raw.endsWith(".");
  const n = raw.replace(/\.$/, "");
  let fqdn: string;
  if (n === zone) return { ok: false, error: `'${name}' is the zone apex; name a host inside it` };
  if (n.endsWith(`.${zone}`)) fqdn = n;
  else if (absolute) return { ok: false, error: `'${name}' is outside the zone ${zone}` };
  else fqdn = `${n}.${zone}`;
  if (fqdn.length > 253) return { ok: false, error: `'${name}' is longer than 253 characters once qualified` };
  for (const label of fqdn.slice(0, fqdn.length - zone.length - 1).split(".")) {
    const err = labelError(label);
    if (err) return { ok: false, error: `invalid name '${name}': ${err}` };
  }
  return { ok: true, fqdn };
}

export function validateIpv4(ip: unknown): string | null {
  if (typeof ip !== "string") return "ip must be a string";
  const [ok, errors] = Validator.isValidIPv4String(ip);
  return ok ? null : `'${ip}' is not an IPv4 address (${errors[0] ?? "invalid"})`;
}

export interface DnsRecordsOptions {
  zone?: string;
  /** TTL for records set without one, in seconds. */
  ttl?: number;
  /** Clock, injectable for tests. */
  now?: () => Date;
}

/** A change of the table, for a copy kept elsewhere (the DNS worker thread's). */
export type DnsChange = { op: "set"; record: DnsRecord } | { op: "delete"; name: string };

export class DnsRecords {
  readonly zone: string;
  readonly defaultTtl: number;
  private readonly now: () => Date;
  private readonly table = new Map<string, DnsRecord>();
  private readonly listeners = new Set<(change: DnsChange) => void>();

  constructor(opts: DnsRecordsOptions = {}) {
    this.zone = normalizeZone(opts.zone ?? DEFAULT_ZONE);
    this.defaultTtl = checkTtl(opts.ttl ?? DEFAULT_TTL_S);
    this.now = opts.now ?? (() => new Date());
  }

  /** Adds or replaces a record; returns the stored record. Throws on a bad name, address or TTL. */
  set(name: string, ip: string, ttl?: number): DnsRecord {
    const fqdn = this.qualify(name);
    const ipError = validateIpv4(ip);
    if (ipError) throw new Error(ipError);
    const record: DnsRecord = {
      name: fqdn,
      ip,
      ttl: checkTtl(ttl ?? this.defaultTtl),
      updatedAt: this.now().toISOString(),
    };
    this.table.set(fqdn, record);
    for (const l of this.listeners) l({ op: "set", record: { ...record } });
    return { ...record };
  }

  /** Puts back a record kept from an earlier run, as it was (its time too); throws when it no longer fits the zone. */
  restore(record: DnsRecord): void {
    if (!inZone(record.name, this.zone)) throw new Error(`'${record.name}' is outside the zone ${this.zone}`);
    const fqdn = this.qualify(record.name);
    const ipError = validateIpv4(record.ip);
    if (ipError) throw new Error(ipError);
    const kept = { name: fqdn, ip: record.ip, ttl: checkTtl(record.ttl), updatedAt: record.updatedAt };
    this.table.set(fqdn, kept);
    // Listeners (the DNS worker) hear it too: a standby taking over reloads records while serving.
    for (const l of this.listeners) l({ op: "set", record: { ...kept } });
  }

  /** Removes a record; returns it, or undefined when there was none. */
  delete(name: string): DnsRecord | undefined {
    const fqdn = this.qualify(name);
    const old = this.table.get(fqdn);
    this.table.delete(fqdn);
    if (old) for (const l of this.listeners) l({ op: "delete", name: fqdn });
    return old ? { ...old } : undefined;
  }

  /** Calls `listener` after each change; answers the function that stops it. */
  onChange(listener: (change: DnsChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies a change made to another copy of this table (as is: it was checked there). */
  apply(change: DnsChange): void {
    if (change.op === "set") this.table.set(change.record.name, { ...change.record });
    else this.table.delete(change.name);
  }

  /** Looks a name up (relative or fully qualified); undefined when unknown or not in the zone. */
  get(name: string): DnsRecord | undefined {
    const q = qualifyName(name, this.zone);
    if (!q.ok) return undefined;
    const r = this.table.get(q.fqdn);
    return r ? { ...r } : undefined;
  }

  /** True when some record lies strictly below `fqdn` (an empty non-terminal: NODATA, not NXDOMAIN). */
  hasDescendant(fqdn: string): boolean {
    const suffix = `.${fqdn.toLowerCase()}`;
    for (const name of this.table.keys()) if (name.endsWith(suffix)) return true;
    return false;
  }

  list(): DnsRecord[] {
    return [...this.table.values()].map((r) => ({ ...r })).sort((a, b) => a.name.localeCompare(b.name));
  }

  get size(): number {
    return this.table.size;
  }

  private qualify(name: string): string {
    const q = qualifyName(name, this.zone);
    if (!q.ok) throw new Error(q.error);
    return q.fqdn;
  }
}

function checkTtl(ttl: number): number {
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > MAX_TTL_S) throw new Error(`ttl must be an integer 0..${MAX_TTL_S}, got ${ttl}`);
  return ttl;
}
