// Every route with a JSON body, of every service, read from the service's own
// served /openapi.json: bad bodies derived from its request schema (a wrong
// type for each property, each required property missing, an unknown field,
// a free-form part nested too deep, an array past its maxItems, garbage JSON,
// a wrong content type) each answer 4xx with the common error body naming the
// field, and the service's state, read back through its GETs, is unchanged.
// A route without an entry in VALID below fails the test: a new route is
// covered the day it is added.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createController, type RunningController } from "../../../../controller/app.js";
import { Agent } from "../../../../edge-agent/service/agent.js";
import { buildApp } from "../../../../edge-agent/service/app.js";
import { makeApp } from "../../scheduler/service/helpers.js";
import { TEST_ALLOW } from "../../../helpers/allow-list.js";

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; required?: string[]; items?: Schema; additionalProperties?: unknown; maxItems?: number; anyOf?: Schema[] };
interface OpenApiDocument {
  paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> } }>>;
}

/** A valid body and a concrete URL for each route with a JSON body ("METHOD /template"). */
const VALID: Record<string, Record<string, { url: string; body: Record<string, unknown> }>> = {
  scheduler: {
    "POST /v1/nodes": { url: "/v1/nodes", body: { name: "edge9", tier: "edge", cpus: 2, netDelayMs: 5, endpoint: "http://127.0.0.1:7709" } },
    "PUT /v1/nodes/{name}/report": {
      url: "/v1/nodes/edge1/report",
      body: { cpu: { usage: 0.4, cores: 2 }, memory: { total: 8e9, used: 2e9 }, load: [0.5], workloads: [{ id: "w-1", cpu: 0.2 }], capabilities: { criu: { present: true } } },
    },
    "POST /v1/devices": { url: "/v1/devices", body: { id: "cam-9", site: "hall" } },
    "POST /v1/migrations": { url: "/v1/migrations", body: { task: "t-1", to: "cloud1", strategy: "postcopy", faults: { agent: { corrupt: true }, policyDenies: "no", probePath: "/x" } } },
    "POST /v1/tasks/{id}/samples": { url: "/v1/tasks/t-1/samples", body: { samples: [{ at: 1_700_000_000_000, e2eMs: 120, processingMs: 80 }] } },
    "POST /v1/tasks": {
      url: "/v1/tasks",
      body: { id: "t-9", device: "cam-9", workload: "detect", inputClass: "small", delayBudgetMs: 250, priority: 3, group: { name: "shop", member: "api", order: 1, replica: 0 } },
    },
    "POST /v1/groups/{name}/migrations": { url: "/v1/groups/shop/migrations", body: { to: "cloud1", onFailure: "leave", strategy: "stopcopy" } },
  },
  controller: {
    "POST /v1/switches/{dpid}/flows": {
      url: "/v1/switches/1/flows",
      body: { flows: [{ priority: 100, match: { inPort: 1, ipv4Dst: "10.0.0.2", ethType: 0x0800 }, instructions: [{ type: "applyActions", actions: [{ type: "output", port: 2 }] }], idleTimeout: 0 }] },
    },
    "PUT /v1/dns/records/{name}": { url: "/v1/dns/records/web", body: { ip: "10.0.0.5", ttl: 5 } },
    "POST /v1/redirect": { url: "/v1/redirect", body: { service: "web", ip: "10.0.0.5", mac: "00:00:00:00:00:05", to: { switch: "0x2", port: 3 }, strategy: "all-at-once" } },
    "PUT /v1/nodes/{name}": { url: "/v1/nodes/cloud1", body: { switch: "0x2", port: 4, site: "cloud" } },
    "POST /v1/overlay/tunnels": { url: "/v1/overlay/tunnels", body: { bridge: "br0", site: "cloud", remoteIp: "192.0.2.2", key: 42, prefixes: ["10.1.0.0/16"] } },
    "PUT /v1/switches/{dpid}/ports/{port}": { url: "/v1/switches/1/ports/2", body: { adminDown: true, noFlood: false, noPacketIn: true } },
    "POST /v1/role": { url: "/v1/role", body: { role: "master", generationId: 3 } },
  },
  agent: {
    "POST /v1/workloads": { url: "/v1/workloads", body: { id: "w-9", command: ["sleep", "30"], cpuLimit: 0.5, ports: [8080], labels: { region: "eu" }, env: { MODE: "demo" } } },
    "POST /v1/migrations": { url: "/v1/migrations", body: { workload: "w-1", destination: "http://127.0.0.1:7702", strategy: "auto", compress: true, faults: { cutAt: 0.5 } } },
    "POST /v1/incoming": {
      url: "/v1/incoming",
      body: { migrationId: "m-1", workload: { id: "w-1", runtime: "direct", spec: { command: ["sleep", "1"], cpuLimit: 0.5, ports: [], labels: {} }, state: "running" }, source: "http://127.0.0.1:7701" },
    },
    "POST /v1/incoming/{id}/files/{name}/seal": { url: "/v1/incoming/m-1/files/pages-1.img/seal", body: { sha256: "a".repeat(64) } },
    "POST /v1/incoming/{id}/prepare": { url: "/v1/incoming/m-1/prepare", body: { hook: "postcopy", params: { pageServerHost: "127.0.0.1", pageServerPort: 9000 } } },
    "POST /v1/incoming/{id}/restore": { url: "/v1/incoming/m-1/restore", body: { hook: "criu-restore", params: { lazy: true } } },
    "POST /v1/images": { url: "/v1/images", body: { migrationId: "m-1", file: "image.tar", ref: "busybox:latest" } },
  },
};

interface BadBody {
  what: string;
  /** A JSON value, or raw text sent as is. */
  body: unknown;
  raw?: string;
  contentType?: string;
  /** What the error message must mention, when the fault is one field. */
  names?: string;
}

const SAMPLES: unknown[] = [12345, "text", true, { a: 1 }, [1]];

const jsonType = (v: unknown): string => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v === "object" ? "object" : typeof v);

/** A value the schema's `type` refuses; undefined when it has none or takes anything. */
function wrongValue(schema: Schema): unknown {
  const types = schema.type === undefined ? (schema.anyOf ?? []).flatMap((s) => (s.type === undefined ? [] : [s.type].flat())) : [schema.type].flat();
  if (types.length === 0) return undefined;
  const allowed = new Set(types.flatMap((t) => (t === "integer" ? ["number"] : [t])));
  return SAMPLES.find((v) => !allowed.has(jsonType(v)));
}

/** Free-form: takes objects, but names none of their fields. */
const isFreeForm = (s: Schema) => [s.type].flat().includes("object") && !s.properties && s.additionalProperties !== false;

const nested = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { deeper: v };
  return v;
};

/** The bad bodies derived from `schema` around the valid `body`, at every object level of it. */
function derive(schema: Schema, body: Record<string, unknown>, put: (value: Record<string, unknown>) => unknown, where: string): BadBody[] {
  const out: BadBody[] = [];
  const props = schema.properties ?? {};
  for (const [name, sub] of Object.entries(props)) {
    const wrong = wrongValue(sub);
    if (wrong !== undefined) out.push({ what: `${where}${name} of the wrong type (${jsonType(wrong)})`, body: put({ ...body, [name]: wrong }), names: name });
    if (isFreeForm(sub)) out.push({ what: `${where}${name} nested 64 deep`, body: put({ ...body, [name]: nested(64) }), names: name });
    if (sub.maxItems !== undefined && Array.isArray(body[name]) && sub.maxItems <= 1024) {
      const items = Array.from({ length: sub.maxItems + 1 }, (_, i) => (body[name] as unknown[])[i % (body[name] as unknown[]).length]);
      out.push({ what: `${where}${name} past maxItems`, body: put({ ...body, [name]: items }), names: name });
    }
    const value = body[name];
    if (sub.properties && value && typeof value === "object" && !Array.isArray(value)) {
      out.push(...derive(sub, value as Record<string, unknown>, (v) => put({ ...body, [name]: v }), `${where}${name}.`));
    }
    const first = Array.isArray(value) ? value[0] : undefined;
    if (sub.items?.properties && first && typeof first === "object") {
      out.push(...derive(sub.items, first as Record<string, unknown>, (v) => put({ ...body, [name]: [v] }), `${where}${name}[0].`));
    }
  }
  for (const name of schema.required ?? []) {
    const { [name]: _gone, ...rest } = body;
    out.push({ what: `${where}${name} missing`, body: put(rest), names: name });
  }
  // An unknown field where fields are closed; where they are open (a report), an unknown one nested too deep.
  if (schema.additionalProperties === false) out.push({ what: `${where}an unknown field`, body: put({ ...body, zzUnknown: 1 }), names: "zzUnknown" });
  else out.push({ what: `${where}an extra field nested 64 deep`, body: put({ ...body, zzDeep: nested(64) }), names: "zzDeep" });
  return out;
}

function badBodies(schema: Schema, valid: Record<string, unknown>): BadBody[] {
  return [
    ...derive(schema, valid, (v) => v, ""),
    { what: "garbage JSON", body: undefined, raw: '{"a": [1, 2', contentType: "application/json" },
    { what: "a JSON array instead of an object", body: [valid] },
    { what: "a wrong content type", body: undefined, raw: JSON.stringify(valid), contentType: "text/plain" },
  ];
}

interface Service {
  name: string;
  app: () => FastifyInstance;
  /** GETs whose answers make up the service's state. */
  state: string[];
}

let scheduler: FastifyInstance;
let controller: RunningController;
let agent: FastifyInstance;

const services: Service[] = [
  { name: "scheduler", app: () => scheduler, state: ["/v1/nodes", "/v1/devices", "/v1/placements", "/v1/migrations"] },
  { name: "controller", app: () => controller.http, state: ["/v1/dns", "/v1/redirects", "/v1/nodes", "/v1/switches", "/v1/role"] },
  { name: "agent", app: () => agent, state: ["/v1/workloads", "/v1/migrations"] },
];

async function stateOf(s: Service): Promise<unknown[]> {
  return Promise.all(s.state.map(async (url) => (await s.app().inject({ method: "GET", url })).json()));
}

beforeAll(async () => {
  scheduler = await makeApp();
  controller = await createController({ openflowPort: 0, httpPort: 0, dnsPort: 0, ovsdb: "unix:/nonexistent/fm-bad-bodies/db.sock" });
  const caps = { criu: { present: false, checkOk: false, features: {} }, docker: { present: false }, cgroupCpu: { ok: true }, strategies: {} };
  agent = await buildApp(new Agent({ node: "edge1", tier: "edge", selfUrl: "http://127.0.0.1:7701", workRoot: "/tmp/fm-bad-bodies-unused", allow: TEST_ALLOW }, caps));
});

afterAll(async () => {
  await scheduler?.close();
  await controller?.close();
  await agent?.close();
});

describe.each(services)("bad bodies to every route of the $name", (service) => {
  it("answers each with 4xx and the common error body naming the field, and changes nothing", async () => {
    const app = service.app();
    const doc: OpenApiDocument = (await app.inject({ method: "GET", url: "/openapi.json" })).json();
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).flatMap(([method, op]) => {
        const schema = op.requestBody?.content?.["application/json"]?.schema;
        return schema ? [{ key: `${method.toUpperCase()} ${path}`, schema }] : [];
      }),
    );
    expect(routes.map((r) => r.key).sort()).toEqual(Object.keys(VALID[service.name] ?? {}).sort());

    const before = await stateOf(service);
    let sent = 0;
    for (const route of routes) {
      const valid = VALID[service.name]?.[route.key];
      if (!valid) continue;
      const method = route.key.split(" ")[0] as "POST" | "PUT";
      for (const bad of badBodies(route.schema, valid.body)) {
        const res = await app.inject({
          method,
          url: valid.url,
          payload: bad.raw ?? JSON.stringify(bad.body),
          headers: { "content-type": bad.contentType ?? "application/json" },
        });
        const label = `${route.key}: ${bad.what}`;
        expect(res.statusCode, `${label}: ${res.body}`).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, `${label}: ${res.body}`).toBeLessThan(500);
        const body = res.json();
        expect(Object.keys(body), label).toEqual(expect.arrayContaining(["statusCode", "error", "code", "message"]));
        expect(body.statusCode, label).toBe(res.statusCode);
        if (bad.names) {
          expect(body.code, `${label}: ${body.message}`).toBe("VALIDATION_FAILED");
          expect(body.message, label).toContain(bad.names);
        }
        sent++;
      }
    }
    expect(sent).toBeGreaterThan(routes.length * 4);
    expect(await stateOf(service)).toEqual(before);
  });
});
