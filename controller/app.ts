// Composition of the controller: OpenFlow listener, discovery, host
// tracking, forwarding, redirects, overlay, DNS server and the HTTP API, wired
// by events. createController() starts everything; close() stops it all.
// A switch reaches this shell only once its handshake and set-up finished
// (openflow/handshake.ts); then the SwitchRestorer puts back the rules the
// forwarding, redirect and overlay parts keep on it. The controller's role
// (openflow/roles.ts) decides whether it may: a slave owes the set-up and
// does it when it becomes master. With a state directory, DNS records,
// redirects, named nodes and tunnels are journaled before each change is
// answered and restored at start (state/), before the OpenFlow port opens.
import Fastify, { type FastifyInstance } from "fastify";
import { dnsRoutes } from "./api/dns.js";
import { ControllerMetrics } from "./api/metrics.js";
import { CONTROLLER_EVENTS_SUMMARY, type ControllerEvent, type ControllerEvents } from "./api/events.js";
import { toJsonValue } from "./api/flow-json.js";
import { hostRoutes } from "./api/hosts.js";
import { guardSwitchChanges } from "./api/in-charge.js";
import { registerOpenApi } from "./api/openapi.js";
import { PortRateBook } from "./api/port-rates.js";
import { roleRoutes } from "./api/role.js";
import { switchTableRoutes } from "./api/switch-tables.js";
import { overlayRoutes } from "./api/overlay.js";
import { type NodePlace, redirectRoutes } from "./api/redirects.js";
import { switchRoutes } from "./api/switches.js";
import { topologyRoutes } from "./api/topology.js";
import { DnsRecords } from "./dns/records.js";
import { type RunningDnsServer, startDnsServer } from "./dns/server.js";
import { startDnsWorker } from "./dns/worker-server.js";
import { Forwarder } from "./forwarding/forwarder.js";
import { NoFloodPorts } from "./forwarding/no-flood.js";
import { HostTable } from "./hosts/table.js";
import type { Log } from "./openflow/connection.js";
import { setUpMessages } from "./openflow/handshake.js";
import type { Role } from "./openflow/role.js";
import { RoleService } from "./openflow/roles.js";
import { OpenFlowServer } from "./openflow/server.js";
import { OpenFlowError, type SwitchSession, SwitchTimeoutError } from "./openflow/session.js";
import { SwitchRestorer } from "./openflow/switch-ready.js";
import { OvsdbOverlayBackend } from "./overlay/backend.js";
import { OverlayService } from "./overlay/service.js";
import { DEFAULT_OVSDB_TARGET } from "./ovsdb/client.js";
import { RedirectExecutor } from "./redirect/executor.js";
import { RedirectStore } from "./redirect/store.js";
import { connectEtcd, type EtcdConnection } from "../src/etcd/connect.js";
import type { EtcdEndpoints } from "../src/etcd/endpoints.js";
import { readKeyed } from "../src/etcd/keyed-records.js";
import { joinElection, type Leadership } from "../src/etcd/leadership.js";
import { refuseWritesOnStandby } from "./api/standby.js";
import { ElectionRoles } from "./openflow/election-roles.js";
import { CONTROLLER_STATE_PREFIX, ControllerJournal } from "./state/journal.js";
import { capture, type LiveParts, reload, restore } from "./state/live.js";
import { ControllerTables, isControllerChange } from "./state/records.js";
import { LinkDiscovery } from "./topology/discovery.js";
import { ApiError } from "../src/http/api-error.js";
import { installErrorHandling } from "../src/http/error-handler.js";
import { EventHub } from "../src/http/event-hub.js";
import { eventsPlugin } from "../src/http/events-plugin.js";
import { STRICT_AJV } from "../src/http/validation.js";
import { httpsOptions, secure, type ServiceSecurity } from "../src/http/service-security.js";
import { CONTROLLER_ACCESS } from "./api/access.js";
import { logsRoutes } from "../src/logs/logs-routes.js";
import { installRequestLogging } from "../src/logs/request-logging.js";
import { ServiceLog } from "../src/logs/service-log.js";
import { installMetrics } from "../src/metrics/http-metrics.js";
import type { WriteGuard } from "../src/etcd/keyed-records.js";

export interface ControllerOptions {
  openflowPort?: number;
  /** Address the OpenFlow listener binds (--openflow-listen); 0.0.0.0 unless given. */
  openflowHost?: string;
  /** OpenFlow over TLS (--openflow-tls): PEM key, certificate and the CA switches' certificates chain to. */
  openflowTls?: { key: string; cert: string; ca: string };
  /** How long a connected switch has to answer an echo when another connection claims its datapath id. */
  claimProbeMs?: number;
  httpPort?: number;
  dnsPort?: number;
  /** Address the HTTP API and DNS bind to; OpenFlow listens on all addresses. */
  host?: string;
  zone?: string;
  lldpIntervalMs?: number;
  echoIntervalMs?: number;
  /** OVSDB endpoint of the VXLAN overlay API ("unix:PATH" or "tcp:HOST:PORT"); connected on first use. */
  ovsdb?: string;
  /** The role claimed from every switch at start (default equal). */
  role?: Role;
  /** How long a request to a switch (MULTIPART, BARRIER, ROLE_REQUEST) may wait for its answer (default 10 s). */
  requestTimeoutMs?: number;
  /**
   * Where DNS records, redirects, named nodes and overlay tunnels are journaled
   * (state/journal.ts) and restored from at start, before any switch connects.
   * None: kept in memory only.
   */
  stateDir?: string;
  /**
   * Keep the same records in etcd instead of under stateDir (`--store etcd://...`).
   * The controller then joins the etcd election "controller": the leader is
   * OpenFlow MASTER of every switch and the only one that changes anything;
   * the others are SLAVE standbys that answer writes 503 (docs/ha.md, "The controller").
   */
  etcd?: EtcdEndpoints;
  /** With etcd: the API URL this controller advertises in the election (default: its own listen URL). */
  advertise?: string;
  /** With etcd: the election lease's TTL, seconds: how long a dead leader keeps the lead (default 2). */
  leaseTtlS?: number;
  /** Diagnostic lines; default: the structured log below. */
  log?: Log;
  /** The structured log (fastify's pino) and its ring for GET /v1/logs; default: the ring only, nothing printed. */
  serviceLog?: ServiceLog;
  /** The metrics served at GET /metrics; default: a registry of this controller's own. */
  metrics?: ControllerMetrics;
  /** Answer DNS in a worker thread of its own (default true), so a flood of it never delays OpenFlow or HTTP. */
  dnsInWorker?: boolean;
  /** HTTPS and the access table (src/http/auth.ts); none: plain HTTP, nothing checked (--insecure). */
  security?: ServiceSecurity;
}

export interface RunningController {
  openflowPort: number;
  httpPort: number;
  dnsPort: number;
  http: FastifyInstance;
  events: ControllerEvents;
  close(): Promise<void>;
}

export async function createController(opts: ControllerOptions = {}): Promise<RunningController> {
  const serviceLog = opts.serviceLog ?? new ServiceLog({ service: "controller" });
  const metrics = opts.metrics ?? new ControllerMetrics();
  const http = Fastify({ ...serviceLog.fastifyOptions(), ajv: STRICT_AJV, ...httpsOptions(opts.security) }) as unknown as FastifyInstance;
  // Before any route: each route must have its row in the access table.
  secure(http, opts.security, CONTROLLER_ACCESS);
  // Lines logged while a migration's call is handled carry its id (the pino mixin reads the correlation).
  const log: Log = opts.log ?? ((level, msg) => http.log[level](msg));
  const hub: ControllerEvents = new EventHub();
  // Events carry bigints and Buffers; subscribers get their JSON form. Nobody listening: no work (forwarding emits per packet).
  const emit = (e: ControllerEvent) => {
    if (hub.size > 0) hub.emit(toJsonValue(e) as ControllerEvent);
  };
  const hosts = new HostTable();
  const records = new DnsRecords({ zone: opts.zone });
  const store = new RedirectStore();
  const nodes = new Map<string, NodePlace>();
  const overlayBackend = new OvsdbOverlayBackend(opts.ovsdb ?? DEFAULT_OVSDB_TARGET);
  const rates = new PortRateBook();
  const noFlood = new NoFloodPorts();

  // The forwarder and discovery refer to each other through events; declared first, set below.
  let forwarder: Forwarder | undefined;
  let executor: RedirectExecutor | undefined;
  let roles: RoleService | undefined;
  let ha: ElectionRoles | undefined;
  const server: OpenFlowServer = new OpenFlowServer({
    port: opts.openflowPort ?? 6653,
    host: opts.openflowHost,
    tls: opts.openflowTls,
    claimProbeMs: opts.claimProbeMs,
    echoIntervalMs: opts.echoIntervalMs,
    requestTimeoutMs: opts.requestTimeoutMs,
    roleAsk: () => roles?.state.askForNewSwitch(),
    log,
    events: {
      switchUp: (session) => {
        session.countFlows = (n) => metrics.flowsInstalled(n);
        log("info", `switch ${session.dpid} connected from ${session.remote} (role ${session.role.role}${session.role.refused ? `, refused: ${session.role.refused.message}` : ""})`);
        discovery.switchUp(session);
        emit({ type: "switch.up", dpid: session.dpid, address: session.remote, ports: session.ports.size });
        // The set-up wiped its table: active redirects and overlay flows must hold across a reconnect.
        // A slave skipped the set-up: it owes both until it becomes master (roles.ts).
        if (session.role.mayChange) void restorer.switchReady(session.dpid);
        // Under an election the planner decides the role a switch must give us.
        if (ha) ha.plan();
        else roles?.switchUp(session);
      },
      switchDown: (session, reason) => {
        log("info", `switch ${session.dpid} disconnected: ${reason}`);
        rates.forget(session.dpid);
        discovery.switchDown(session.dpid);
        hosts.forgetSwitch(session.dpid);
        forwarder?.topologyChanged(false);
        emit({ type: "switch.down", dpid: session.dpid, reason });
      },
      message: (session, m) => {
        switch (m.type) {
          case "packetIn":
            metrics.packetIn();
            // A held redirect's frames (its cookie) are the redirect's, not the forwarder's to learn from.
            if (executor?.packetIn(session.dpid, m)) return;
            forwarder?.packetIn(session, m);
            return;
          case "portStatus": {
            const down = m.reason === 1 || (m.port.state & 1) !== 0 || (m.port.config & 1) !== 0;
            if (down) discovery.portDown(session.dpid, m.port.portNo);
            else executor?.portUp(session.dpid, m.port.portNo);
            emit({ type: "port.status", dpid: session.dpid, port: m.port.portNo, name: m.port.name, up: !down });
            return;
          }
          case "flowRemoved":
            emit({ type: "flow.removed", dpid: session.dpid, cookie: m.cookie, priority: m.priority, reason: m.reason, match: m.match });
            return;
          case "error":
            log("warn", `switch ${session.dpid} reported OpenFlow error type ${m.errType} code ${m.code}`);
            return;
        }
      },
    },
  });

  const discovery = new LinkDiscovery(
    server.registry,
    {
      linkUp: (link) => {
        // Hosts seen on what turned out to be a switch port were echoes, not hosts.
        for (const end of [link.src, link.dst]) hosts.forgetPort(end.dpid, end.port);
        forwarder?.topologyChanged(false);
        executor?.refresh();
        emit({ type: "link.up", link });
      },
      linkDown: (link, reason) => {
        forwarder?.topologyChanged(true);
        executor?.refresh();
        emit({ type: "link.down", link, reason });
      },
    },
    opts.lldpIntervalMs ?? 1000,
  );
  forwarder = new Forwarder(
    server.registry,
    discovery,
    hosts,
    {
      host: (change, mac) => emit({ type: `host.${change}`, host: hosts.get(mac) }),
      flowsInstalled: (dpids, ethSrc, ethDst) => emit({ type: "flow.installed", dpids, ethSrc, ethDst }),
    },
    noFlood,
  );
  const redirects = new RedirectExecutor({
    registry: server.registry,
    graph: discovery.graph,
    hosts,
    records,
    store,
    emit,
    restore: (dpid, batches) => restorer.send(dpid, batches),
    log,
  });
  executor = redirects;
  const overlay = new OverlayService({ backend: overlayBackend, switches: server.registry, log });
  const restorer = new SwitchRestorer({ switches: server.registry, emit, log }, [forwarder, redirects, overlay]);
  // Becoming master (or equal) again: the set-up the handshake skipped, then every part's rules.
  const setUp = async (session: SwitchSession) => {
    for (const m of setUpMessages()) session.send({ ...m, xid: 0 });
    await restorer.switchReady(session.dpid);
    await session.barrier();
  };
  const roleService = new RoleService({ registry: server.registry, setUp, log });
  roles = roleService;
  if (opts.etcd && opts.role && opts.role !== "equal") throw new Error(`with an etcd store the election decides the role: --role ${opts.role} does not apply`);
  if (opts.role && opts.role !== "equal") await roleService.claim(opts.role);
  // Under an election, every switch holds us slave until this controller leads (the planner then raises the generation).
  if (opts.etcd) roleService.state.follow({ role: "slave", generationId: 0n });

  // An earlier run's state goes back before any switch connects: each switch's first switch-ready carries it.
  const parts: LiveParts = { records, redirects: store, nodes, overlay };
  let journal: ControllerJournal | undefined;
  let etcd: EtcdConnection | undefined;
  let leadership: Leadership | undefined;
  // The leader's writes commit only under its term (a deposed leader's are refused by etcd itself); a refused
  // or unconfirmed write makes it step down (what it holds may differ from etcd: the next term reads etcd).
  const fence: WriteGuard = {
    fence: () => leadership?.fence(),
    onFenced: (err) => void leadership?.stepDown(err.message),
    onUnsettled: (err) => void leadership?.stepDown(err.message),
  };
  if (opts.etcd || opts.stateDir) {
    etcd = opts.etcd ? await connectEtcd(opts.etcd) : undefined;
    const opened = etcd
      ? await ControllerJournal.openEtcd(etcd.client, opts.etcd!.hosts.join(","), () => capture(parts), () => {}, fence)
      : await ControllerJournal.open(opts.stateDir!, () => capture(parts));
    journal = opened.journal;
    for (const d of opened.dropped) log("warn", `state: dropped ${d}`);
    for (const note of restore(opened.snapshot, parts)) log("warn", `state: ${note}`);
    const s = opened.snapshot;
    if (opened.existed) log("info", `state restored from ${journal.path}: ${s.dns.length} DNS record(s), ${s.redirects.length} redirect(s), ${s.nodes.length} node(s), ${s.tunnels.length} tunnel(s)`);
    // Records the restore changed (a record outside a new --zone) are written as they now are (under etcd: by the leader, once elected).
    if (!etcd) await journal.sync();
  }
  const persist = journal ? () => (journal as ControllerJournal).sync() : undefined;

  installRequestLogging(http);
  installErrorHandling(http, {
    logInternal: (err) => log("error", `HTTP ${err.stack ?? err.message}`),
    translate: (err) => {
      if (err instanceof SwitchTimeoutError) return new ApiError(504, "UNAVAILABLE", err.message);
      if (err instanceof OpenFlowError) return new ApiError(502, "SWITCH_FAILED", err.message, { errType: err.error.errType, errCode: err.error.code });
      return undefined;
    },
  });
  if (opts.etcd) refuseWritesOnStandby(http, { leads: () => ha?.leads() ?? false, leader: () => ha?.leader() });
  guardSwitchChanges(http, { role: () => roleService.state.role, registry: server.registry });
  await registerOpenApi(http);
  installMetrics(http, metrics.registry);
  logsRoutes(http, serviceLog);
  await http.register(switchRoutes, { registry: server.registry, rates, noFlood, onFlowsChanged: (dpid, count) => emit({ type: "flow.installed", dpids: [dpid], count }) });
  await http.register(switchTableRoutes, { registry: server.registry });
  await http.register(roleRoutes, {
    roles: roleService,
    ...(opts.etcd && {
      election: () => ({
        leading: ha?.leads() ?? false,
        self: leadership?.self ?? "",
        leader: ha?.leader() ?? null,
        ...(ha?.term() !== undefined && { term: Number(ha.term()) }),
      }),
    }),
  });
  await http.register(topologyRoutes, { registry: server.registry, discovery, hosts });
  await http.register(hostRoutes, { hosts });
  await http.register(redirectRoutes, { executor: redirects, store, nodes, persist });
  let dnsSynced: () => Promise<void> = async () => {};
  await http.register(dnsRoutes, { records, onEvent: (e) => emit(e), synced: () => dnsSynced(), persist });
  await http.register(overlayRoutes, { overlay, emit, persist });
  await http.register(eventsPlugin({ hub, summary: CONTROLLER_EVENTS_SUMMARY }));

  const openflowPort = await server.listen();
  discovery.start();
  let dns: RunningDnsServer | undefined;
  try {
    const dnsOpts = { port: opts.dnsPort ?? 5353, host: opts.host ?? "127.0.0.1", records, onAnswer: (rcode: number) => metrics.dnsAnswered(rcode) };
    if (opts.dnsInWorker ?? true) {
      const worker = await startDnsWorker(dnsOpts);
      dnsSynced = () => worker.sync();
      dns = worker;
    } else dns = await startDnsServer(dnsOpts);
    await http.listen({ port: opts.httpPort ?? 8181, host: opts.host ?? "127.0.0.1" });
  } catch (err) {
    discovery.stop();
    await server.close();
    await dns?.close();
    await journal?.close();
    etcd?.close();
    throw err;
  }
  const addr = http.server.address();
  const httpPort = typeof addr === "object" && addr ? addr.port : (opts.httpPort ?? 8181);

  if (etcd) {
    const client = etcd.client;
    const where = opts.etcd!.hosts.join(",");
    const advertise = opts.advertise ?? `${opts.security ? "https" : "http"}://${opts.host ?? "127.0.0.1"}:${httpPort}`;
    // The records last loaded into the live parts, as read: a standby reloads only when they changed.
    let loaded = "";
    const load = async () => {
      const recs = await readKeyed(client, CONTROLLER_STATE_PREFIX, isControllerChange);
      const text = JSON.stringify(recs);
      if (text === loaded) return;
      const tables = new ControllerTables();
      for (const c of recs) tables.apply(c);
      for (const note of reload(tables.snapshot(), parts)) log("warn", `state: ${note}`);
      loaded = text;
    };
    try {
      leadership = await joinElection(client, "controller", advertise, { ttlS: opts.leaseTtlS ?? 2, onError: (err) => log("warn", `election: ${err.message}`) });
    } catch (err) {
      discovery.stop();
      await server.close();
      await http.close();
      await dns?.close();
      etcd.close();
      throw new Error(`cannot join the controller election in etcd: ${(err as Error).message}`);
    }
    ha = new ElectionRoles({
      leadership,
      roles: roleService,
      log,
      // Elected: the state in force from etcd (what the last leader wrote), a journal that diffs against it, then what a restore changed, fenced.
      takeOver: async () => {
        const old = journal;
        const opened = await ControllerJournal.openEtcd(client, where, () => capture(parts), () => {}, fence);
        for (const note of reload(opened.snapshot, parts)) log("warn", `state: ${note}`);
        loaded = "";
        journal = opened.journal;
        await old?.close();
        await journal.sync();
      },
      refresh: () => load(),
    });
    await ha.start();
  }

  return {
    openflowPort,
    httpPort,
    dnsPort: dns.port,
    http,
    events: hub,
    async close() {
      ha?.stop();
      // Resigning lets a standby take over at once rather than after the lease.
      await leadership?.close();
      discovery.stop();
      await server.close();
      await http.close();
      await dns?.close();
      overlayBackend.close();
      await journal?.close();
      etcd?.close();
    },
  };
}
