// The dashboard's page: reads the state once through the services' GET routes,
// then follows both event streams (the scheduler's, and the controller's
// through the scheduler's relay); each event goes through the pure view models
// (../state/) and the visible view is drawn again. No timer reads anything: a
// read happens at start, when a stream (re)opens, or because an event said
// that something changed (a move's transition: its record; a switch's flows:
// its table). A viewer: the page offers no action that changes anything.
import type { SchedulerClient } from "../../../src/clients/scheduler.js";
import { applyClusterEvent, type ClusterState, emptyCluster, nodeRows, withLatency, withNodes, withPlacement, withPlacements } from "../state/cluster-state.js";
import { applyDeviceEvent, type DevicesState, deviceList, emptyDevices, withMoves, withTask } from "../state/devices-state.js";
import { type ControllerUiEvent, parseEvent, type SchedulerUiEvent } from "../state/events.js";
import { applyFlowsDnsEvent, emptyFlowsDns, type FlowsDnsState, selectSwitch, touchesSelectedFlows, withDns, withFlows } from "../state/flows-dns-state.js";
import { applyMigrationEvent, emptyMigrations, type MigrationsState, migrationRows, withRecord } from "../state/migrations-state.js";
import { applyTopologyEvent, emptyTopology, type TopologyState, topologyGraph, withHosts, withPlaces, withPorts, withRedirects, withTopology, withTunnels } from "../state/topology-state.js";
import { type Api, follow, makeApi, readToken, type StreamStatus, storeToken } from "./api.js";
import { fill, h } from "./dom.js";
import { DevicesView } from "./views/devices.js";
import { FlowsDnsView } from "./views/flows-dns.js";
import { MigrationsView } from "./views/migrations.js";
import { NodesView } from "./views/nodes.js";
import { TopologyView } from "./views/topology.js";

const VIEWS = ["topology", "nodes", "migrations", "flows", "devices"] as const;
type ViewName = (typeof VIEWS)[number];
const TITLES: Record<ViewName, string> = { topology: "Topology", nodes: "Nodes", migrations: "Migrations", flows: "Flows and DNS", devices: "Devices" };

let cluster: ClusterState = emptyCluster();
let migrations: MigrationsState = emptyMigrations();
let devices: DevicesState = emptyDevices();
let topology: TopologyState = emptyTopology();
let flowsDns: FlowsDnsState = emptyFlowsDns();

const token = readToken();
const api: Api = makeApi(token);

const app = document.getElementById("app")!;
const problems = h("div", { class: "problems", role: "status" });
const status = { scheduler: h("span", { class: "stream" }, "scheduler …"), controller: h("span", { class: "stream" }, "controller …") };
const panes = Object.fromEntries(VIEWS.map((v) => [v, h("main", { class: "pane", id: `view-${v}`, "data-view": v, hidden: true })])) as Record<ViewName, HTMLElement>;
const tabs = VIEWS.map((v) => h("a", { href: `#${v}`, class: "tab", "data-tab": v }, TITLES[v]));
const views = {
  topology: new TopologyView(panes.topology),
  nodes: new NodesView(panes.nodes),
  migrations: new MigrationsView(panes.migrations),
  flows: new FlowsDnsView(panes.flows, (dpid) => {
    flowsDns = selectSwitch(flowsDns, dpid);
    void readFlows();
    draw();
  }),
  devices: new DevicesView(panes.devices),
};

fill(
  app,
  h(
    "header",
    { class: "top" },
    h("h1", {}, "FlexiMigrate"),
    h("nav", {}, ...tabs),
    h("div", { class: "streams" }, status.scheduler, status.controller),
    login(),
  ),
  problems,
  ...Object.values(panes),
  h("footer", {}, "Read-only viewer: this page only reads the services' APIs and events; it offers no action that changes anything."),
);

let current: ViewName = "topology";
function route(): void {
  const wanted = location.hash.slice(1) as ViewName;
  current = VIEWS.includes(wanted) ? wanted : "topology";
  for (const v of VIEWS) panes[v].hidden = v !== current;
  for (const t of tabs) t.classList.toggle("active", t.dataset.tab === current);
  draw();
  if (current === "topology") views.topology.shown();
}
window.addEventListener("hashchange", route);

let drawing = false;
function draw(): void {
  if (drawing) return;
  drawing = true;
  requestAnimationFrame(() => {
    drawing = false;
    const graph = topologyGraph(topology, [...cluster.tasks.values()]);
    if (current === "topology") views.topology.render(graph);
    if (current === "nodes") views.nodes.render(nodeRows(cluster));
    if (current === "migrations") views.migrations.render(migrationRows(migrations));
    if (current === "flows") views.flows.render(flowsDns, graph.switches);
    if (current === "devices") views.devices.render(deviceList(devices));
  });
}

function login(): HTMLElement {
  const input = h("input", { type: "password", placeholder: token ? "token set" : "bearer token", "aria-label": "bearer token", autocomplete: "off" });
  const form = h("form", { class: "login" }, input, h("button", { type: "submit" }, token ? "change" : "use"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    storeToken(input.value.trim() || null);
    location.reload();
  });
  return form;
}

const shown = new Map<string, string>();
function problem(where: string, err: unknown): void {
  const text = err === undefined ? undefined : `${where}: ${(err as Error).message ?? String(err)}`;
  if (text) shown.set(where, text);
  else shown.delete(where);
  fill(problems, ...[...shown.values()].map((t) => h("p", {}, t)));
}

async function attempt<T>(where: string, read: () => Promise<T>): Promise<T | undefined> {
  try {
    const v = await read();
    problem(where, undefined);
    return v;
  } catch (err) {
    problem(where, err);
    return undefined;
  }
}

// --- the scheduler: nodes, tasks, moves, devices

async function loadScheduler(s: SchedulerClient): Promise<void> {
  const [nodes, placements, moves] = await Promise.all([attempt("nodes", () => s.nodes()), attempt("placements", () => s.placements()), attempt("migrations", () => s.migrations())]);
  if (nodes) cluster = withNodes(cluster, nodes);
  if (placements) {
    cluster = withPlacements(cluster, placements);
    for (const p of placements) devices = withTask(devices, { device: p.request.device, task: p.request.id, budgetMs: p.request.delayBudgetMs, predictedMs: p.predictedDelayMs, node: p.node });
  }
  if (moves) {
    migrations = emptyMigrations();
    for (const m of moves) migrations = withRecord(migrations, m);
    devices = withMoves(devices, moves);
  }
  draw();
  const latencies = await Promise.all((placements ?? []).map((p) => s.taskLatency(p.request.id).catch(() => undefined)));
  for (const l of latencies) if (l) cluster = withLatency(cluster, l);
  draw();
}

const reading = new Set<string>();
async function readMove(id: string): Promise<void> {
  if (reading.has(id)) return;
  reading.add(id);
  try {
    const m = await api.scheduler.migration(id);
    migrations = withRecord(migrations, m);
    draw();
  } catch (err) {
    problem(`migration ${id}`, err);
  } finally {
    reading.delete(id);
  }
}

function onSchedulerEvent(text: string): void {
  const e = parseEvent<SchedulerUiEvent>(text);
  if (!e) return;
  cluster = applyClusterEvent(cluster, e);
  migrations = applyMigrationEvent(migrations, e);
  devices = applyDeviceEvent(devices, e);
  if (e.type === "migration.transition" || e.type === "migration-requested") void readMove(e.type === "migration.transition" ? e.migration : e.migration.id);
  if (e.type === "placed")
    void api.scheduler
      .task(e.task.id)
      .then((p) => {
        cluster = withPlacement(cluster, p);
        draw();
      })
      .catch(() => {});
  draw();
}

// --- the controller, through the scheduler's forward: topology, flows, DNS

async function loadController(): Promise<void> {
  const c = api.controller;
  const [t, hosts, overlay, dns, redirects, places] = await Promise.all([
    attempt("topology", () => c.topology()),
    attempt("hosts", () => c.hosts()),
    attempt("overlay", () => c.overlay()),
    attempt("dns", () => c.dns()),
    attempt("redirects", () => c.redirects()),
    attempt("places", () => c.nodes()),
  ]);
  if (t) topology = withTopology(topology, t);
  if (hosts) topology = withHosts(topology, hosts);
  if (overlay) topology = withTunnels(topology, overlay.tunnels);
  if (redirects) topology = withRedirects(topology, redirects.redirects);
  if (places) topology = withPlaces(topology, places.nodes);
  if (dns) flowsDns = withDns(flowsDns, dns);
  draw();
  await Promise.all((t?.switches ?? []).map((d) => readPorts(d)));
  void readFlows();
}

async function readPorts(dpid: string): Promise<void> {
  const p = await api.controller.ports(dpid).catch(() => undefined);
  if (p && topology.switches.has(dpid)) topology = withPorts(topology, dpid, p.ports);
  draw();
}

let flowsBusy = false;
let flowsAgain = false;
/** One table read at a time; events during it ask for one more read after it. */
async function readFlows(): Promise<void> {
  const dpid = flowsDns.selected;
  if (!dpid) return;
  if (flowsBusy) {
    flowsAgain = true;
    return;
  }
  flowsBusy = true;
  try {
    const f = await api.controller.flows(dpid);
    flowsDns = withFlows(flowsDns, dpid, f.flows, new Date().toISOString());
    problem("flows", undefined);
  } catch (err) {
    problem("flows", err);
  } finally {
    flowsBusy = false;
    draw();
    if (flowsAgain) {
      flowsAgain = false;
      void readFlows();
    }
  }
}

function onControllerEvent(text: string): void {
  const e = parseEvent<ControllerUiEvent>(text);
  if (!e) return;
  topology = applyTopologyEvent(topology, e);
  flowsDns = applyFlowsDnsEvent(flowsDns, e);
  if (e.type === "switch.up") {
    void api.controller
      .topology()
      .then((t) => {
        topology = withTopology(topology, t);
        return readPorts(e.dpid);
      })
      .catch(() => {});
  }
  if (touchesSelectedFlows(flowsDns, e)) void readFlows();
  draw();
}

function streamStatus(which: "scheduler" | "controller"): (s: StreamStatus) => void {
  return (s) => {
    status[which].textContent = `${which} ${s === "live" ? "● live" : s === "connecting" ? "… connecting" : "○ reconnecting"}`;
    status[which].className = `stream ${s}`;
    document.body.dataset[`${which}Stream`] = s;
  };
}

follow(api.schedulerEvents, { onEvent: onSchedulerEvent, onOpen: () => void loadScheduler(api.scheduler), onStatus: streamStatus("scheduler") });
follow(api.controllerEvents, { onEvent: onControllerEvent, onOpen: () => void loadController(), onStatus: streamStatus("controller") });
route();
