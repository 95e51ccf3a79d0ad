// The load of the controller SIGKILL test, and what it expects back: seeded
// random DNS record, named node, redirect (and rollback) and tunnel changes
// through the HTTP API, with a model of everything acknowledged. The one
// change in flight when the controller is killed is uncertain: after the
// restart it must have happened wholly or not at all, and the model takes
// what the controller then shows for it.
import { pick, type Rng } from "../../../../src/random.js";
import type { Json, Method } from "../../../helpers/http.js";

export type Api = (method: Method, path: string, body?: unknown) => Promise<{ status: number; body: Json }>;

export interface RedirectSeen {
  service: string;
  to: { dpid: string; port: number };
  cookie: string;
}

export interface Model {
  /** DNS records the load sets itself (names d0..d7), by short name. */
  dns: Map<string, string>;
  nodes: Map<string, { switch: string; port: number }>;
  /** Every acknowledged redirect record (rollbacks make records too), by id. */
  redirects: Map<number, RedirectSeen>;
  /** Per service, the id of its active redirect; absent: none. */
  active: Map<string, number>;
  /** Tunnels, by name, with the cookie of their flows. */
  tunnels: Map<string, string>;
}

export const SERVICES = ["r0", "r1", "r2", "r3"];
export const serviceIp = (s: string) => `10.60.0.${10 + SERVICES.indexOf(s)}`;
const serviceMac = (s: string) => `02:00:00:60:00:${(16 + SERVICES.indexOf(s)).toString(16)}`;

export function emptyModel(): Model {
  return { dns: new Map(), nodes: new Map(), redirects: new Map(), active: new Map(), tunnels: new Map() };
}

/** One change: its request, and what an acknowledgement of it does to the model. */
export interface Change {
  what: string;
  method: Method;
  path: string;
  body?: unknown;
  acked(model: Model, answer: Json): void;
  /** After a kill mid-request: the model takes what the restarted controller shows, if it is one of the outcomes; else the reason. */
  settle(model: Model, seen: Seen): string | null;
}

/** What the restarted controller shows. */
export interface Seen {
  dns: Map<string, string>;
  nodes: Map<string, { switch: string; port: number }>;
  redirects: Map<number, Json>;
  tunnels: Map<string, string>;
  /** The DNS records of the redirected services (a redirect sets its service's, a rollback puts back the one before). */
  serviceDns: Map<string, string>;
}

function addRedirect(model: Model, r: Json): void {
  model.redirects.set(r.id, { service: r.service, to: r.to, cookie: r.cookie });
  if (r.state === "active") model.active.set(r.service, r.id);
  else model.active.delete(r.service);
}

/** The next seeded change, given what the model holds. */
/** `bridge`: the OVS bridge tunnels are made on (its name also prefixes theirs). */
export function nextChange(rng: Rng, model: Model, dpid: string, serial: number, bridge = "fmdur-br0"): Change {
  const roll = rng();
  if (roll < 0.3) {
    const name = `d${Math.floor(rng() * 8)}`;
    const ip = `10.50.${Math.floor(rng() * 250)}.${1 + Math.floor(rng() * 250)}`;
    return {
      what: `dns ${name}=${ip}`,
      method: "PUT",
      path: `/v1/dns/records/${name}`,
      body: { ip },
      acked: (m) => m.dns.set(name, ip),
      settle: (m, seen) => takeKey(m.dns, seen.dns, name, [m.dns.get(name), ip]),
    };
  }
  if (roll < 0.4 && model.dns.size > 0) {
    const name = pick(rng, [...model.dns.keys()]);
    return {
      what: `dns delete ${name}`,
      method: "DELETE",
      path: `/v1/dns/records/${name}`,
      acked: (m) => m.dns.delete(name),
      settle: (m, seen) => takeKey(m.dns, seen.dns, name, [m.dns.get(name), undefined]),
    };
  }
  if (roll < 0.5) {
    const name = `n${Math.floor(rng() * 4)}`;
    const place = { switch: dpid, port: 1 + Math.floor(rng() * 2) };
    return {
      what: `node ${name}=${place.port}`,
      method: "PUT",
      path: `/v1/nodes/${name}`,
      body: place,
      acked: (m) => m.nodes.set(name, place),
      settle: (m, seen) => takeKey(m.nodes, seen.nodes, name, [m.nodes.get(name), place]),
    };
  }
  const withActive = SERVICES.filter((s) => model.active.has(s));
  if (roll < 0.6 && withActive.length > 0) {
    const service = pick(rng, withActive);
    const id = model.active.get(service) as number;
    return {
      what: `rollback ${id} (${service})`,
      method: "POST",
      path: `/v1/redirects/${id}/rollback`,
      acked: (m, answer) => {
        m.active.delete(service);
        addRedirect(m, answer.redirect);
      },
      settle: (m, seen) => settleRedirect(m, seen, service, id),
    };
  }
  if (roll < 0.85) {
    const service = pick(rng, SERVICES);
    const nodes = [...model.nodes.keys()];
    const to = nodes.length > 0 && rng() < 0.3 ? { node: pick(rng, nodes) } : { switch: dpid, port: 1 + Math.floor(rng() * 2) };
    return {
      what: `redirect ${service} -> ${JSON.stringify(to)}`,
      method: "POST",
      path: "/v1/redirect",
      body: { service, ip: serviceIp(service), mac: serviceMac(service), to },
      acked: (m, answer) => addRedirect(m, answer.redirects[0]),
      settle: (m, seen) => settleRedirect(m, seen, service, undefined),
    };
  }
  if (roll < 0.93 && model.tunnels.size > 0) {
    const name = pick(rng, [...model.tunnels.keys()]);
    return {
      what: `tunnel delete ${name}`,
      method: "DELETE",
      path: `/v1/overlay/tunnels/${name}`,
      acked: (m) => m.tunnels.delete(name),
      settle: (m, seen) => takeKey(m.tunnels, seen.tunnels, name, [m.tunnels.get(name), undefined]),
    };
  }
  const name = `${bridge.replace(/-br\d+$/, "")}-t${bridge.slice(-1)}${serial}`;
  return {
    what: `tunnel ${name}`,
    method: "POST",
    path: "/v1/overlay/tunnels",
    body: { bridge, site: `ds${serial}`, name, remoteIp: `192.0.2.${1 + (serial % 250)}`, key: 1000 + serial, prefixes: [`10.70.${serial % 250}.0/24`] },
    acked: (m, answer) => m.tunnels.set(name, answer.cookie),
    settle: (m, seen) => {
      const cookie = seen.tunnels.get(name);
      if (cookie !== undefined) m.tunnels.set(name, cookie);
      return null;
    },
  };
}

/** The key's value as seen, when it is one of `allowed` (undefined: absent). */
function takeKey<V>(model: Map<string, V>, seen: Map<string, V>, key: string, allowed: Array<V | undefined>): string | null {
  const now = seen.get(key);
  if (!allowed.some((a) => JSON.stringify(a) === JSON.stringify(now))) return `${key} is ${JSON.stringify(now)}, neither before nor after the change in flight`;
  if (now === undefined) model.delete(key);
  else model.set(key, now);
  return null;
}

/** A redirect (or a rollback of `rolledBack`) in flight: the service's records the model lacks, all or nothing. */
function settleRedirect(m: Model, seen: Seen, service: string, rolledBack: number | undefined): string | null {
  const fresh = [...seen.redirects.values()].filter((r) => r.service === service && !m.redirects.has(r.id));
  if (fresh.length > 1) return `${fresh.length} new records for ${service} from one change`;
  const [r] = fresh;
  if (!r) return null; // not made: the model stands
  if (rolledBack !== undefined && r.rollbackOf !== rolledBack) return `record ${r.id} of ${service} is no rollback of ${rolledBack}`;
  m.active.delete(service);
  addRedirect(m, r);
  return null;
}

/** Differences between the model and what the controller shows: each one a lost (or changed) acknowledged change. */
export function compare(m: Model, seen: Seen): string[] {
  const out: string[] = [];
  const same = <V>(what: string, a: Map<string, V>, b: Map<string, V>) => {
    for (const [k, v] of a) if (JSON.stringify(b.get(k)) !== JSON.stringify(v)) out.push(`${what} ${k}: acknowledged ${JSON.stringify(v)}, now ${JSON.stringify(b.get(k))}`);
    for (const k of b.keys()) if (!a.has(k)) out.push(`${what} ${k}: there, never acknowledged`);
  };
  same("dns", m.dns, seen.dns);
  same("node", m.nodes, seen.nodes);
  same("tunnel", m.tunnels, seen.tunnels);
  for (const [id, r] of m.redirects) {
    const s = seen.redirects.get(id);
    if (!s) out.push(`redirect ${id} (${r.service}) lost`);
    else if (s.service !== r.service || s.cookie !== r.cookie || JSON.stringify(s.to) !== JSON.stringify(r.to)) out.push(`redirect ${id} changed: ${JSON.stringify(s)}`);
  }
  for (const id of seen.redirects.keys()) if (!m.redirects.has(id)) out.push(`redirect ${id}: there, never acknowledged`);
  for (const service of SERVICES) {
    const active = [...seen.redirects.values()].filter((r) => r.service === service && r.state === "active").map((r) => r.id);
    const want = m.active.get(service);
    if (JSON.stringify(active) !== JSON.stringify(want === undefined ? [] : [want])) out.push(`${service}: active ${JSON.stringify(active)}, acknowledged ${want ?? "none"}`);
    const dns = seen.serviceDns.get(service);
    if (dns !== (want === undefined ? undefined : serviceIp(service))) out.push(`${service}: DNS record ${dns ?? "none"} with ${want === undefined ? "no redirect" : `redirect ${want}`} active`);
  }
  return out;
}
