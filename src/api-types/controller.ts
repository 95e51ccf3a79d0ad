// Wire shapes of the controller's HTTP API (controller/api/*.ts), for its
// clients: the CLI's flows/topology/dns commands and the benchmarks.

/** GET /v1/switches. */
export interface SwitchList {
  switches: Array<{ dpid: string; address: string; tables?: number; ports: number }>;
}

export interface PortView {
  portNo: number;
  name: string;
  hwAddr: string;
  up: boolean;
  config: number;
  state: number;
  currSpeed: number;
}

/** A flow as GET /v1/switches/:dpid/flows shows it; 64-bit values travel as "0x..." strings. */
export interface FlowView {
  tableId: number;
  priority: number;
  cookie: string;
  owner: string;
  idleTimeout: number;
  hardTimeout: number;
  durationSec: number;
  packetCount: number;
  byteCount: number;
  match: Record<string, unknown>;
  instructions: Array<Record<string, unknown>>;
}

/** One flow of POST /v1/switches/:dpid/flows: the codec's match and instructions as JSON. */
export interface FlowInput {
  priority?: number;
  match: object;
  instructions: object[];
  idleTimeout?: number;
  hardTimeout?: number;
  cookie?: string | number;
  tableId?: number;
}

export interface FlowsInstalled {
  installed: number;
  ms: number;
}

export interface TopologyView {
  switches: string[];
  /** True once every switch was probed long enough for flooding to be loop-safe. */
  settled: boolean;
  links: Array<{ src: { dpid: string; port: number }; dst: { dpid: string; port: number } }>;
  hosts: number;
}

export interface HostList {
  hosts: Array<{ mac: string; ip: string | null; dpid: string; port: number; lastSeen: string }>;
}

export interface DnsRecord {
  /** Fully qualified, lower case, no trailing dot. */
  name: string;
  ip: string;
  ttl: number;
  updatedAt: string;
}

export interface DnsListing {
  zone: string;
  defaultTtl: number;
  records: DnsRecord[];
}

export type RedirectStrategy = "all-at-once" | "per-service" | "gradual";

/** Where a redirect sends a service: a switch port, or a place named with PUT /v1/nodes/:name. */
export type RedirectTarget = { switch: string; port: number } | { node: string };

export interface RedirectItem {
  service: string;
  ip: string;
  mac: string;
  to: RedirectTarget;
  /** What the service's DNS name answers afterwards (default: ip). */
  dnsAddress?: string;
}

/** POST /v1/redirect: one service, or several under `redirects`. */
export type RedirectBody = (RedirectItem | { redirects: RedirectItem[] }) & {
  strategy?: RedirectStrategy;
  steps?: number;
  stepMs?: number;
};

export interface RedirectRecord {
  id: number;
  service: string;
  ip: string;
  mac: string;
  to: { dpid: string; port: number };
  from: { dpid: string; port: number } | null;
  strategy: RedirectStrategy;
  cookie: string;
  dnsBefore: string | null;
  dnsAfter: string | null;
  reconfigurationMs: number;
  stepsMs: number[];
  switches: string[];
  flowMods: number;
  at: string;
  state: "active" | "superseded" | "rolled-back";
  rollbackOf?: number;
}

export interface RedirectAnswer {
  strategy: RedirectStrategy;
  /** The slowest redirect's: request until every touched switch answered its BARRIER. */
  reconfigurationMs: number;
  redirects: RedirectRecord[];
}

/** PUT /v1/nodes/:name. */
export interface NodePlaceInput {
  switch: string;
  port: number;
  site?: string;
}

export interface NodePlace {
  name: string;
  switch: string;
  port: number;
  site: string | null;
}

/** POST /v1/overlay/tunnels. */
export interface TunnelInput {
  bridge: string;
  site: string;
  remoteIp: string;
  /** VXLAN network identifier. */
  key: number;
  name?: string;
  localIp?: string;
  /** Addresses or CIDR blocks living at the far site. */
  prefixes?: string[];
}

export interface TunnelView {
  name: string;
  bridge: string;
  site: string;
  ofport: number;
  remoteIp: string;
  key: number;
  localIp?: string;
  dpid: string | null;
  prefixes: string[];
  cookie: string;
  flows: number;
  state: string;
  error?: string;
}

export interface OverlayView {
  ovsdb: string;
  tunnels: TunnelView[];
}
