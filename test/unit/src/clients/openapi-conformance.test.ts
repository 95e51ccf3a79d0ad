// Every method of the three typed clients, run against a recording transport,
// calls only routes, methods, query parameters and body fields that the
// service's own served OpenAPI document (GET /openapi.json of the real app,
// built in-process) has. Then the check itself, shown failing on a wrong
// route, a wrong method and unknown body fields.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createController, type RunningController } from "../../../../controller/app.js";
import { Agent } from "../../../../edge-agent/service/agent.js";
import { buildApp } from "../../../../edge-agent/service/app.js";
import { AgentClient } from "../../../../src/clients/agent.js";
import { ControllerClient } from "../../../../src/clients/controller.js";
import { SchedulerClient } from "../../../../src/clients/scheduler.js";
import { JsonClient } from "../../../../src/http/json-client.js";
import { type OpenApiDocument, type RecordedCall, recordingFetch, violations } from "../../../helpers/openapi-conformance.js";
import { makeApp } from "../../scheduler/service/helpers.js";
import { TEST_ALLOW } from "../../../helpers/allow-list.js";

/** The names of T's methods; a sample table keyed by it must name every one (tsc checks). */
type MethodsOf<T> = { [K in keyof T]: T[K] extends (...args: never[]) => unknown ? K : never }[keyof T];
type Samples<T> = { [K in MethodsOf<T>]: (client: T) => Promise<unknown> };

const TASK = { id: "t-1", device: "cam-1", workload: "detect", inputClass: "small", delayBudgetMs: 250, priority: 3, group: { name: "shop", member: "api", order: 1, replica: 0 } };
const FLOW = {
  priority: 100,
  match: { inPort: 1, ethType: 0x0800, ipv4Dst: "10.0.0.2" },
  instructions: [{ type: "applyActions", actions: [{ type: "output", port: 2 }] }],
  idleTimeout: 0,
  hardTimeout: 0,
  cookie: "0x10",
  tableId: 0,
};

const schedulerSamples: Samples<SchedulerClient> = {
  leadership: (c) => c.leadership(),
  registerNode: (c) => c.registerNode({ name: "edge1", tier: "edge", cpus: 2, netDelayMs: 5, endpoint: "http://127.0.0.1:7701" }),
  nodes: (c) => c.nodes(),
  node: (c) => c.node("edge1"),
  removeNode: (c) => c.removeNode("edge1"),
  report: (c) =>
    c.report("edge1", {
      cpu: { usage: 0.4, cores: 2 },
      memory: { total: 8e9, used: 2e9 },
      load: [0.5, 0.4, 0.3],
      workloads: [{ id: "w-1", cpu: 0.2, memoryBytes: 1e6 }],
      capabilities: { criu: { present: true } },
    }),
  registerDevice: (c) => c.registerDevice({ id: "cam-1", site: "hall" }),
  devices: (c) => c.devices(),
  device: (c) => c.device("cam-1"),
  removeDevice: (c) => c.removeDevice("cam-1"),
  reconciliation: (c) => c.reconciliation(),
  submitTask: (c) => c.submitTask(TASK),
  task: (c) => c.task("t-1"),
  releaseTask: (c) => c.releaseTask("t-1"),
  placements: (c) => c.placements(),
  requestMove: (c) => c.requestMove({ task: "t-1", to: "cloud1", strategy: "postcopy", faults: { agent: { corrupt: true, cutAt: 0.5 }, policyDenies: "test", probePath: "/nope" } }),
  migrations: (c) => c.migrations(),
  migration: (c) => c.migration("m-1"),
  groups: (c) => c.groups(),
  migrateGroup: (c) => c.migrateGroup("shop", { to: "cloud1", onFailure: "leave", strategy: "stopcopy", faults: { "t-1": { agent: { corrupt: true }, policyDenies: "x", probePath: "/x" } } }),
  groupMigrations: (c) => c.groupMigrations("shop"),
  groupMigration: (c) => c.groupMigration("shop", "g-1"),
  models: (c) => c.models(),
  reportSamples: (c) => c.reportSamples("t-1", { samples: [{ at: 1_700_000_000_000, e2eMs: 120, processingMs: 80 }] }),
  taskLatency: (c) => c.taskLatency("t-1"),
  metrics: (c) => c.metrics(),
  logs: (c) => c.logs("m-1", { limit: 100 }),
};

const controllerSamples: Samples<ControllerClient> = {
  switches: (c) => c.switches(),
  flows: (c) => c.flows("0000000000000001"),
  installFlows: (c) => c.installFlows("0000000000000001", [FLOW]),
  ports: (c) => c.ports("0000000000000001"),
  setPort: (c) => c.setPort("0000000000000001", 2, { adminDown: true, noFlood: false, noPacketIn: true }),
  groups: (c) => c.groups("0000000000000001"),
  meters: (c) => c.meters("0000000000000001"),
  tables: (c) => c.tables("0000000000000001"),
  queues: (c) => c.queues("0000000000000001"),
  role: (c) => c.role(),
  setRole: (c) => c.setRole({ role: "master", generationId: 7 }),
  topology: (c) => c.topology(),
  hosts: (c) => c.hosts(),
  dns: (c) => c.dns(),
  setDnsRecord: (c) => c.setDnsRecord("web", { ip: "10.0.0.5", ttl: 5 }),
  deleteDnsRecord: (c) => c.deleteDnsRecord("web"),
  redirect: (c) =>
    c.redirect({
      redirects: [
        { service: "web", ip: "10.0.0.5", mac: "00:00:00:00:00:05", to: { switch: "0x2", port: 3 }, dnsAddress: "10.0.0.5" },
        { service: "db", ip: "10.0.0.6", mac: "00:00:00:00:00:06", to: { node: "cloud1" } },
      ],
      strategy: "gradual",
      steps: 4,
      stepMs: 100,
    }),
  redirects: (c) => c.redirects(),
  rollback: (c) => c.rollback(1),
  nodes: (c) => c.nodes(),
  setNode: (c) => c.setNode("cloud1", { switch: "0x2", port: 4, site: "cloud" }),
  overlay: (c) => c.overlay(),
  createTunnel: (c) => c.createTunnel({ bridge: "br0", site: "cloud", remoteIp: "192.0.2.2", key: 42, name: "vx-cloud", localIp: "192.0.2.1", prefixes: ["10.1.0.0/16"] }),
  deleteTunnel: (c) => c.deleteTunnel("vx-cloud"),
  metrics: (c) => c.metrics(),
  logs: (c) => c.logs("m-1", { limit: 100 }),
};

const agentSamples: Samples<AgentClient> = {
  info: (c) => c.info(),
  createWorkload: (c) =>
    c.createWorkload({
      id: "w-1",
      command: ["python3", "server.py"],
      cpuLimit: 0.5,
      ports: [8080],
      labels: { region: "eu" },
      probePath: "/health",
      env: { MODE: "demo" },
      network: { ip: "10.77.0.10", prefixLen: 16, mac: "02:00:0a:4d:00:0a", gateway: "10.77.0.1" },
    }),
  workloads: (c) => c.workloads(),
  deleteWorkload: (c) => c.deleteWorkload("w-1"),
  startMigration: (c) =>
    c.startMigration({
      workload: "w-1",
      destination: "http://127.0.0.1:7702",
      strategy: "postcopy",
      compress: true,
      bandwidthBps: 1e8,
      commit: "manual",
      cpuLimit: 0.25,
      faults: { corrupt: false, cutAt: 0.5, failRestore: false },
    }),
  commitMigration: (c) => c.commitMigration("m-1"),
  rollbackMigration: (c) => c.rollbackMigration("m-1"),
  migrations: (c) => c.migrations(),
  migration: (c) => c.migration("m-1"),
  openIncoming: (c) =>
    c.openIncoming({
      migrationId: "m-1",
      workload: { id: "w-1", runtime: "direct", spec: { command: ["sleep", "1"], cpuLimit: 0.5, ports: [], labels: {} }, state: "running" },
      source: "http://127.0.0.1:7701",
    }),
  prepareIncoming: (c) => c.prepareIncoming("m-1", { hook: "postcopy", params: { pageServerHost: "127.0.0.1", pageServerPort: 9000 } }),
  restoreIncoming: (c) => c.restoreIncoming("m-1", { hook: "criu-restore", params: { lazy: true } }),
  commitIncoming: (c) => c.commitIncoming("m-1"),
  abortIncoming: (c) => c.abortIncoming("m-1"),
  imageId: (c) => c.imageId("busybox:latest"),
  loadImage: (c) => c.loadImage({ migrationId: "m-1", file: "image.tar", ref: "busybox:latest" }),
  metrics: (c) => c.metrics(),
  logs: (c) => c.logs("m-1", { limit: 100 }),
};

const docOf = async (app: FastifyInstance): Promise<OpenApiDocument> => (await app.inject({ method: "GET", url: "/openapi.json" })).json();

/** Runs every sample through a recording client; answers each method's calls and what in them the document lacks. */
async function conformance<T>(doc: OpenApiDocument, make: (calls: RecordedCall[]) => T, samples: Samples<T>) {
  const results: Array<{ method: string; calls: RecordedCall[]; problems: string[] }> = [];
  for (const [method, run] of Object.entries(samples) as Array<[string, (c: T) => Promise<unknown>]>) {
    const calls: RecordedCall[] = [];
    await run(make(calls));
    results.push({ method, calls, problems: calls.flatMap((c) => violations(doc, c)) });
  }
  return results;
}

/** Methods on the prototype: a method the sample table lacks fails here even if tsc was skipped. */
const methodNames = (proto: object) => Object.getOwnPropertyNames(proto).filter((n) => n !== "constructor");

let schedulerApp: FastifyInstance;
let controller: RunningController;
let agentApp: FastifyInstance;

beforeAll(async () => {
  schedulerApp = await makeApp();
  controller = await createController({ openflowPort: 0, httpPort: 0, dnsPort: 0, ovsdb: "unix:/nonexistent/fm-clients/db.sock" });
  const caps = { criu: { present: false, checkOk: false, features: {} }, docker: { present: false }, cgroupCpu: { ok: false, error: "test" }, strategies: {} };
  agentApp = await buildApp(new Agent({ node: "edge1", tier: "edge", selfUrl: "http://127.0.0.1:7701", workRoot: "/tmp/fm-clients-unused", allow: TEST_ALLOW }, caps));
});

afterAll(async () => {
  await schedulerApp?.close();
  await controller?.close();
  await agentApp?.close();
});

describe("typed clients conform to the served OpenAPI documents", () => {
  const cases = [
    { name: "SchedulerClient", proto: SchedulerClient.prototype, samples: schedulerSamples as object, app: () => schedulerApp, make: (calls: RecordedCall[]) => new SchedulerClient("http://127.0.0.1:8088", { fetch: recordingFetch(calls) }) },
    { name: "ControllerClient", proto: ControllerClient.prototype, samples: controllerSamples as object, app: () => controller.http, make: (calls: RecordedCall[]) => new ControllerClient("http://127.0.0.1:8181", { fetch: recordingFetch(calls) }) },
    { name: "AgentClient", proto: AgentClient.prototype, samples: agentSamples as object, app: () => agentApp, make: (calls: RecordedCall[]) => new AgentClient("http://127.0.0.1:7701", { node: "edge1", fetch: recordingFetch(calls) }) },
  ];

  for (const c of cases) {
    it(`${c.name}: every method calls a documented route, method, query and body`, async () => {
      expect(Object.keys(c.samples).sort()).toEqual(methodNames(c.proto).sort());
      const doc = await docOf(c.app());
      expect(Object.keys(doc.paths).length).toBeGreaterThan(3);
      const results = await conformance(doc, c.make as (calls: RecordedCall[]) => never, c.samples as Samples<never>);
      for (const r of results) expect(r.calls.length, `${c.name}.${r.method} made no call`).toBeGreaterThan(0);
      expect(results.flatMap((r) => r.problems)).toEqual([]);
    });
  }

  it("the samples reach the document's body fields (a body-less sample proves nothing)", async () => {
    const doc = await docOf(agentApp);
    const [start] = await conformance(doc, (calls) => new AgentClient("http://a:1", { fetch: recordingFetch(calls) }), { startMigration: agentSamples.startMigration } as Samples<AgentClient>);
    expect(start?.calls[0]?.body).toMatchObject({ workload: "w-1", faults: { cutAt: 0.5 } });
  });
});

describe("the conformance check fails a call the document does not have", () => {
  const record = async (run: (http: JsonClient) => Promise<unknown>): Promise<RecordedCall> => {
    const calls: RecordedCall[] = [];
    await run(new JsonClient("http://127.0.0.1:8088", { service: "test", fetch: recordingFetch(calls) }));
    return calls[0]!;
  };

  it("a wrong route", async () => {
    const call = await record((http) => http.get("/v1/node/edge1"));
    expect(violations(await docOf(schedulerApp), call)).toEqual(["GET /v1/node/edge1: no path of the document matches /v1/node/edge1"]);
  });

  it("a wrong method", async () => {
    const call = await record((http) => http.post("/v1/tasks/t-1", undefined));
    expect(violations(await docOf(schedulerApp), call)).toEqual(["POST /v1/tasks/t-1: /v1/tasks/{id} has no POST (it has GET, DELETE)"]);
  });

  it("an unknown body field, at the top and nested, and an undeclared query parameter", async () => {
    const top = await record((http) => http.post("/v1/tasks", { ...TASK, budgetMs: 250 }));
    expect(violations(await docOf(schedulerApp), top)).toEqual(["POST /v1/tasks: body.budgetMs is not in the request body schema"]);
    const nested = await record((http) => http.post("/v1/redirect", { service: "web", ip: "10.0.0.5", mac: "00:00:00:00:00:05", to: { nod: "cloud1" } }));
    expect(violations(await docOf(controller.http), nested)).toEqual(["POST /v1/redirect: body.to.nod is not in the request body schema"]);
    const inArray = await record((http) => http.post("/v1/switches/1/flows", { flows: [{ ...FLOW, priorty: 1 }] }));
    expect(violations(await docOf(controller.http), inArray)).toEqual(["POST /v1/switches/1/flows: body.flows[0].priorty is not in the request body schema"]);
    const query = await record((http) => http.get("/v1/images", { query: { ref: "x", tag: "y" } }));
    expect(violations(await docOf(agentApp), query)).toEqual(["GET /v1/images: query parameter tag is not declared"]);
  });

  it("a body sent to a route that takes none, and a missing required body", async () => {
    const extra = await record((http) => http.post("/v1/incoming/m-1/commit", { force: true }));
    expect(violations(await docOf(agentApp), extra)).toEqual(["POST /v1/incoming/m-1/commit: body.force sent, but /v1/incoming/{id}/commit takes no body"]);
    const missing = await record((http) => http.post("/v1/tasks", undefined));
    expect(violations(await docOf(schedulerApp), missing)).toEqual(["POST /v1/tasks: the document requires a body"]);
  });
});
