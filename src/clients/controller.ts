// Typed client of the controller's HTTP API (controller/api): switches and
// their flows, ports, groups, meters, tables and queues, the controller's role, topology, hosts, DNS, redirects, named places, the overlay.
import type {
  DnsListing,
  DnsRecord,
  FlowInput,
  FlowsInstalled,
  FlowView,
  GroupView,
  HostList,
  MeterView,
  NodePlace,
  NodePlaceInput,
  OverlayView,
  PortChange,
  PortView,
  QueueView,
  RedirectAnswer,
  RedirectBody,
  RedirectRecord,
  RoleInput,
  RoleView,
  SwitchList,
  TableView,
  TopologyView,
  TunnelInput,
  TunnelView,
} from "../api-types/controller.js";
import type { LogLines } from "../api-types/logs.js";
import { JsonBody, JsonClient, type JsonClientOptions, type MethodOptions } from "../http/json-client.js";

export const DEFAULT_CONTROLLER_URL = "http://127.0.0.1:8181";

const seg = encodeURIComponent;

export class ControllerClient {
  readonly http: JsonClient;

  constructor(baseUrl: string, opts: Partial<JsonClientOptions> = {}) {
    this.http = new JsonClient(baseUrl, { service: "controller", ...opts });
  }

  switches(opts?: MethodOptions): Promise<SwitchList> {
    return this.http.get("/v1/switches", opts);
  }

  /** The switch's flow table, read live by MULTIPART; 404 when it is not connected. */
  flows(dpid: string, opts?: MethodOptions): Promise<{ dpid: string; flows: FlowView[] }> {
    return this.http.get(`/v1/switches/${seg(dpid)}/flows`, opts);
  }

  /** Pipelined FLOW_MODs then one BARRIER: answers once the switch confirmed them all. */
  installFlows(dpid: string, flows: FlowInput[] | JsonBody<{ flows: FlowInput[] }>, opts?: MethodOptions): Promise<FlowsInstalled> {
    return this.http.post(`/v1/switches/${seg(dpid)}/flows`, flows instanceof JsonBody ? flows : { flows }, opts);
  }

  /** Ports with their counters, and rates since the previous call for this switch (null on the first). */
  ports(dpid: string, opts?: MethodOptions): Promise<{ dpid: string; ports: PortView[] }> {
    return this.http.get(`/v1/switches/${seg(dpid)}/ports`, opts);
  }

  /** PORT_MOD (adminDown, noPacketIn) confirmed by a BARRIER, noFlood kept by the controller; answers the port read back. 409 while slave. */
  setPort(dpid: string, port: number, change: PortChange, opts?: MethodOptions): Promise<PortView> {
    return this.http.put(`/v1/switches/${seg(dpid)}/ports/${port}`, change, opts);
  }

  groups(dpid: string, opts?: MethodOptions): Promise<{ dpid: string; groups: GroupView[] }> {
    return this.http.get(`/v1/switches/${seg(dpid)}/groups`, opts);
  }

  meters(dpid: string, opts?: MethodOptions): Promise<{ dpid: string; meters: MeterView[] }> {
    return this.http.get(`/v1/switches/${seg(dpid)}/meters`, opts);
  }

  tables(dpid: string, opts?: MethodOptions): Promise<{ dpid: string; tables: TableView[] }> {
    return this.http.get(`/v1/switches/${seg(dpid)}/tables`, opts);
  }

  queues(dpid: string, opts?: MethodOptions): Promise<{ dpid: string; queues: QueueView[] }> {
    return this.http.get(`/v1/switches/${seg(dpid)}/queues`, opts);
  }

  role(opts?: MethodOptions): Promise<RoleView> {
    return this.http.get("/v1/role", opts);
  }

  /** ROLE_REQUEST to every switch; 409 (with each switch's outcome) when one refused, e.g. a stale generation. */
  setRole(input: RoleInput, opts?: MethodOptions): Promise<RoleView> {
    return this.http.post("/v1/role", input, opts);
  }

  topology(opts?: MethodOptions): Promise<TopologyView> {
    return this.http.get("/v1/topology", opts);
  }

  hosts(opts?: MethodOptions): Promise<HostList> {
    return this.http.get("/v1/hosts", opts);
  }

  dns(opts?: MethodOptions): Promise<DnsListing> {
    return this.http.get("/v1/dns", opts);
  }

  /** Creates or changes an A record; `name` relative to the zone or fully qualified in it. */
  setDnsRecord(name: string, record: { ip: string; ttl?: number }, opts?: MethodOptions): Promise<DnsRecord> {
    return this.http.put(`/v1/dns/records/${seg(name)}`, record, opts);
  }

  /** Answers the removed record; 404 when there is none. */
  deleteDnsRecord(name: string, opts?: MethodOptions): Promise<DnsRecord> {
    return this.http.delete(`/v1/dns/records/${seg(name)}`, opts);
  }

  /** Moves services' unchanged IPs to a new place; answers the network reconfiguration time. */
  redirect(body: RedirectBody, opts?: MethodOptions): Promise<RedirectAnswer> {
    return this.http.post("/v1/redirect", body, opts);
  }

  redirects(opts?: MethodOptions): Promise<{ redirects: RedirectRecord[] }> {
    return this.http.get("/v1/redirects", opts);
  }

  rollback(id: number, opts?: MethodOptions): Promise<{ redirect: RedirectRecord }> {
    return this.http.post(`/v1/redirects/${id}/rollback`, undefined, opts);
  }

  /** Named places a redirect may target with {node}. */
  nodes(opts?: MethodOptions): Promise<{ nodes: NodePlace[] }> {
    return this.http.get("/v1/nodes", opts);
  }

  setNode(name: string, place: NodePlaceInput, opts?: MethodOptions): Promise<NodePlace> {
    return this.http.put(`/v1/nodes/${seg(name)}`, place, opts);
  }

  overlay(opts?: MethodOptions): Promise<OverlayView> {
    return this.http.get("/v1/overlay", opts);
  }

  createTunnel(tunnel: TunnelInput, opts?: MethodOptions): Promise<TunnelView> {
    return this.http.post("/v1/overlay/tunnels", tunnel, opts);
  }

  deleteTunnel(name: string, opts?: MethodOptions): Promise<TunnelView> {
    return this.http.delete(`/v1/overlay/tunnels/${seg(name)}`, opts);
  }

  /** The service's metrics, Prometheus text format. */
  metrics(opts?: MethodOptions): Promise<string> {
    return this.http.get("/metrics", opts);
  }

  /** The service's recent log lines about one migration (its correlation id), oldest first. */
  logs(migration: string, query: { limit?: number } = {}, opts?: MethodOptions): Promise<LogLines> {
    return this.http.get("/v1/logs", { ...opts, query: { migration, limit: query.limit } });
  }
}
