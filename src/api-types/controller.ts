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
  /** OFPPC_* bits */
  config: number;
  /** OFPPS_* bits */
  state: number;
  currSpeed: number;
  /** OFPPC_PORT_DOWN: set by PUT /v1/switches/:dpid/ports/:port {adminDown}. */
  adminDown: boolean;
  /** OFPPS_LINK_DOWN: no link. */
  linkDown: boolean;
  noPacketIn: boolean;
  /** OpenFlow 1.3 has no port flag for it: the controller's own flooding leaves the port out. */
  noFlood: boolean;
  /** Counters of OFPMP_PORT_STATS; null for a port the switch gave none for (LOCAL on some switches). */
  stats: PortStatsView | null;
  /** Over the time since the previous GET of this switch's ports; null on the first one (or after a counter reset). */
  rates: PortRatesView | null;
}

export interface PortStatsView {
  rxPackets: number;
  txPackets: number;
  rxBytes: number;
  txBytes: number;
  rxDropped: number;
  txDropped: number;
  rxErrors: number;
  txErrors: number;
  durationSec: number;
}

export interface PortRatesView {
  /** Seconds between the two polls the rates are taken from. */
  intervalSec: number;
  rxBytesPerSec: number;
  txBytesPerSec: number;
  rxPacketsPerSec: number;
  txPacketsPerSec: number;
}

/** PUT /v1/switches/:dpid/ports/:port: at least one field. */
export interface PortChange {
  adminDown?: boolean;
  noFlood?: boolean;
  noPacketIn?: boolean;
}

/** GET /v1/switches/:dpid/groups: GROUP_DESC and GROUP stats merged per group id. */
export interface GroupView {
  groupId: number;
  type: "all" | "select" | "indirect" | "fastFailover";
  refCount: number;
  packetCount: number;
  byteCount: number;
  durationSec: number;
  buckets: Array<{ weight: number; watchPort: number; watchGroup: number; actions: Array<Record<string, unknown>>; packetCount: number; byteCount: number }>;
}

/** GET /v1/switches/:dpid/meters: METER_CONFIG and METER stats merged per meter id. */
export interface MeterView {
  meterId: number;
  /** OFPMF_* names: kbps, pktps, burst, stats. */
  flags: string[];
  flowCount: number;
  packetInCount: number;
  byteInCount: number;
  durationSec: number;
  bands: Array<{ type: "drop" | "dscpRemark" | "experimenter"; rate: number; burstSize: number; precLevel?: number; experimenter?: number; packetCount: number; byteCount: number }>;
}

/** GET /v1/switches/:dpid/tables: TABLE stats with TABLE_FEATURES, per table. */
export interface TableView {
  tableId: number;
  name: string;
  activeCount: number;
  lookupCount: number;
  matchedCount: number;
  maxEntries: number;
  /** "0x..." */
  metadataMatch: string;
  metadataWrite: string;
  /** Tables a goto-table may name from this one. */
  nextTables: number[];
  /** How many OXM fields the table matches on; instruction and action types it takes (OFPIT_*, OFPAT_*). */
  matchFields: number;
  instructions: number[];
  applyActions: number[];
}

/** GET /v1/switches/:dpid/queues: OFPMP_QUEUE stats. */
export interface QueueView {
  portNo: number;
  queueId: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  durationSec: number;
}

export type ControllerRole = "equal" | "master" | "slave";

/** GET and POST /v1/role: the role this controller claims and how each switch holds it. */
export interface RoleView {
  role: ControllerRole;
  /** With --store etcd://: the election that decides the role (the leader is master, the others slave). */
  election?: {
    /** This controller leads and has loaded the state in force. */
    leading: boolean;
    /** This controller's advertised API URL. */
    self: string;
    /** The leader's advertised API URL; null when nobody leads. */
    leader: string | null;
    /** This controller's term while it leads (its generation id). */
    term?: number;
  };
  /** The generation id of the last master/slave claim (0 before any). */
  generationId: number;
  switches: Array<{
    dpid: string;
    /** taken: the switch confirmed; refused: it answered an error (stale generation...); failed: no answer. */
    status: "taken" | "refused" | "failed";
    role: ControllerRole;
    generationId?: number;
    reason?: string;
    message?: string;
    /** Becoming master or equal again, the controller redid the set-up it owed this switch. */
    setUp?: boolean;
  }>;
}

/** POST /v1/role. */
export interface RoleInput {
  role: ControllerRole;
  /** Master and slave only: must be above the last one this controller used (default: that plus one). */
  generationId?: number;
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
  /**
   * While a target port is down (a migration's destination before its copy
   * runs), the controller holds the service's frames and sends them there the
   * moment the port comes up (all-at-once and per-service strategies).
   */
  hold?: boolean;
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
  /** A held redirect (asked with `hold` while its port was down): the frames the controller kept until the port came up. */
  hold?: RedirectHold;
}

export interface RedirectHold {
  /** holding: the port is still down; released: sent on when it came up; dropped: rolled back, replaced or held too long. */
  state: "holding" | "released" | "dropped";
  packets: number;
  bytes: number;
  /** Frames past the bounds, or never sent. */
  dropped: number;
  heldMs?: number;
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
