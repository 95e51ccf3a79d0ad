// Data protection through the scheduler's HTTP API: nodes register with their
// attribute certificates, a regulated task is placed only where its regulation
// allows, and an operator's move to a node it does not allow fails in PLANNING
// with the reason while the workload stays where it runs.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { NodeSpec } from "../../../../src/api-types/scheduler.js";
import { certificateAdmission } from "../../../../scheduler/placement/data-protection.js";
import { createPolicy } from "../../../../scheduler/placement/policies.js";
import { buildSchedulerApp, type SchedulerApp } from "../../../../scheduler/service/app.js";
import { NOW, registration, testPca } from "../../../helpers/pca.js";
import { FakeProber } from "../migration/fakes.js";
import { fakeAgents, MODELS, snapshot } from "./helpers.js";

const pca = testPca();
const rogue = testPca();
const EU = { countries: ["DE", "FR"], organisations: ["ACME"] };
const TASK = { device: "cam-1", workload: "detect", inputClass: "small", delayBudgetMs: 400 };

const base = (name: string, tier: "edge" | "cloud"): NodeSpec => ({ name, tier, cpus: tier === "edge" ? 1 : 8, netDelayMs: tier === "edge" ? 5 : 60, endpoint: `http://${name}:7701` });
/** A node's registration: its spec with a certificate, signed with the node key it certifies (at the app's clock). */
const node = (name: string, tier: "edge" | "cloud", country: string, issuer = pca) => {
  const id = issuer.issueWithKey(name, { country, organisations: ["ACME"] });
  return { spec: { ...base(name, tier), attributeCert: id.cert }, body: registration(base(name, tier), id, NOW), id };
};
const REGISTERED = [node("edge1", "edge", "DE"), node("edge2", "edge", "US"), node("cloud1", "cloud", "US"), node("cloud2", "cloud", "FR"), node("cloud3", "cloud", "FR", rogue)];
const NODES = REGISTERED.map((r) => r.spec);
const BODIES = REGISTERED.map((r) => r.body);

let app: SchedulerApp;
afterEach(() => app?.close());

async function start(opts: { stateDir?: string } = {}, agents = fakeAgents()) {
  const policy = createPolicy("delay-aware", { nodes: [], models: MODELS, admission: certificateAdmission([pca.trusted], () => NOW) });
  app = await buildSchedulerApp({ policy, models: MODELS, agents: agents.directory, prober: new FakeProber([]), limits: { pollMs: 1 }, now: () => NOW, ...opts });
  return agents;
}
const post = (url: string, payload: object) => app.inject({ method: "POST", url, payload });
const nodeOf = async (task: string) => (await app.inject({ method: "GET", url: `/v1/tasks/${task}` })).json().node;
const settle = () => (app.scheduler.executor as unknown as { manager: { idle(): Promise<void> } }).manager.idle();

describe("data protection through the scheduler's API", () => {
  it("places a regulated task only on an allowed node; a move to a disallowed one fails in PLANNING, nothing moved", async () => {
    const agents = await start();
    for (const n of BODIES) expect((await post("/v1/nodes", n)).statusCode).toBe(201);
    expect((await app.inject({ method: "GET", url: "/v1/nodes/edge1" })).json()).toMatchObject({ attributeCert: NODES[0]!.attributeCert, certificate: { valid: true } });
    expect((await app.inject({ method: "GET", url: "/v1/nodes/cloud3" })).json().certificate).toEqual({
      valid: false,
      reason: `certificate of cloud3 not signed by a trusted PCA (issuer ${rogue.trusted.id} is not one)`,
    });

    // A US-only task can only use edge2; then edge2 is the most used edge node, and an EU task still goes to edge1.
    const us = await post("/v1/tasks", { ...TASK, id: "us", regulation: { countries: ["US"] } });
    expect(us.json()).toMatchObject({ node: "edge2", case: 1, task: { regulation: { countries: ["US"] } } });
    const eu = await post("/v1/tasks", { ...TASK, id: "eu", regulation: EU });
    expect(eu.statusCode).toBe(201);
    expect(eu.json()).toMatchObject({ node: "edge1", task: { id: "eu", regulation: EU } });

    // The operator moves it to cloud1 (US): accepted, then PLANNING refuses with the reason.
    const move = await post("/v1/migrations", { task: "eu", to: "cloud1" });
    expect(move.statusCode).toBe(202);
    await settle();
    const m = (await app.inject({ method: "GET", url: `/v1/migrations/${move.json().id}` })).json();
    expect(m).toMatchObject({ state: "FAILED", status: "failed" });
    expect(m.error).toBe("destination cloud1 not allowed for task eu: node cloud1: country US not allowed by regulation [DE, FR]");
    expect(m.log).toContain(
      "ERROR [DataProtection]: PLANNING failed: destination cloud1 not allowed for task eu: node cloud1: country US not allowed by regulation [DE, FR] - Transitioning: PLANNING -> FAILED",
    );
    // Nothing moved: the placement shows edge1, its agent never started a migration and still runs the workload.
    expect(await nodeOf("eu")).toBe("edge1");
    const edge1 = agents.at.get("http://edge1:7701")!;
    expect(edge1.migrationsStarted).toEqual([]);
    expect([...edge1.workloadsHeld.keys()]).toEqual(["eu"]);
    expect(agents.at.get("http://cloud1:7701")?.workloadsHeld.size ?? 0).toBe(0);

    // cloud3 is in France too, but its PCA is not trusted.
    const untrusted = await post("/v1/migrations", { task: "eu", to: "cloud3" });
    await settle();
    const m3 = (await app.inject({ method: "GET", url: `/v1/migrations/${untrusted.json().id}` })).json();
    expect(m3.error).toMatch(/^destination cloud3 not allowed for task eu: certificate of cloud3 not signed by a trusted PCA/);
    expect(await nodeOf("eu")).toBe("edge1");

    // cloud2 (FR, ACME, trusted) is allowed: the move completes.
    const ok = await post("/v1/migrations", { task: "eu", to: "cloud2" });
    await settle();
    expect((await app.inject({ method: "GET", url: `/v1/migrations/${ok.json().id}` })).json()).toMatchObject({ state: "COMPLETED" });
    expect(await nodeOf("eu")).toBe("cloud2");
  });

  it("refuses a regulated task no node allows with each node's reason (409, nothing placed)", async () => {
    await start();
    for (const n of BODIES) await post("/v1/nodes", n);
    const before = await snapshot(app);
    const r = await post("/v1/tasks", { ...TASK, regulation: { countries: ["JP"] } });
    expect(r.statusCode).toBe(409);
    expect(r.json()).toMatchObject({ code: "TASK_REFUSED", reason: expect.stringMatching(/^no node satisfies the task's regulation: node edge1: country DE not allowed by regulation \[JP\]; /) });
    expect(await snapshot(app)).toEqual(before);
  });

  it("validates regulations and certificates strictly: 400 naming the field, nothing changed", async () => {
    await start();
    for (const n of BODIES) await post("/v1/nodes", n);
    const before = await snapshot(app);
    const bad: Array<[object, RegExp]> = [
      [{ regulation: {} }, /regulation must NOT have fewer than 1 properties/],
      [{ regulation: { countries: ["UK"] } }, /body\/regulation: regulation.countries must be an ISO 3166-1 alpha-2 country code/],
      [{ regulation: { countries: ["de"] } }, /regulation\/countries\/0 must match pattern/],
      [{ regulation: { countries: ["DE", "DE"] } }, /must NOT have duplicate items/],
      [{ regulation: { organisations: [] } }, /organisations must NOT have fewer than 1 items/],
      [{ regulation: { countries: ["DE"], region: "EU" } }, /must NOT have additional properties/],
      [{ regulation: ["DE"] }, /regulation must be object/],
    ];
    for (const [extra, message] of bad) {
      const r = await post("/v1/tasks", { ...TASK, ...extra });
      expect({ extra, status: r.statusCode }).toEqual({ extra, status: 400 });
      expect(r.json().message).toMatch(message);
    }
    const cert = NODES[0]!.attributeCert!;
    const badNodes: Array<[object, RegExp]> = [
      [{ ...cert, payload: { ...cert.payload, country: "XX" } }, /body\/attributeCert: payload.country must be an ISO 3166-1 alpha-2/],
      [{ ...cert, payload: { ...cert.payload, notAfter: "tomorrow" } }, /body\/attributeCert: payload.notAfter must be an ISO time/],
      [{ ...cert, extra: 1 }, /must NOT have additional properties/],
      [{ ...cert, signature: "AAAA" }, /attributeCert\/signature must match pattern/],
    ];
    for (const [attributeCert, message] of badNodes) {
      const r = await post("/v1/nodes", { ...NODES[0], name: "edge9", attributeCert: { ...attributeCert, payload: { ...(attributeCert as typeof cert).payload, subject: "edge9" } } });
      expect(r.statusCode).toBe(400);
      expect(r.json().message).toMatch(message);
    }
    expect(await snapshot(app)).toEqual(before);
  });

  it("a node presenting a certificate must prove it holds the node key: 400 naming body/proof, nothing registered", async () => {
    await start();
    const edge1 = REGISTERED[0]!;
    const { proof: _proof, ...unproven } = edge1.body;
    const stolen = registration(base("edge1", "edge"), { cert: edge1.id.cert, key: pca.issueWithKey("thief").key }, NOW);
    const stale = registration(base("edge1", "edge"), edge1.id, new Date(NOW.getTime() - 10 * 60_000));
    const changed = { ...edge1.body, endpoint: "http://elsewhere:7701" };
    const cases: Array<[object, RegExp]> = [
      [unproven, /^body\/proof: a node presenting an attribute certificate must prove it holds the node key/],
      [stolen, /^body\/proof: proof.signature does not verify with the certificate's node key/],
      [changed, /^body\/proof: proof.signature does not verify/],
      [stale, /^body\/proof: proof.at .* is more than 5 minutes from the scheduler's clock/],
      [{ ...base("edge1", "edge"), proof: edge1.body.proof }, /^body\/proof: only with an attributeCert/],
    ];
    for (const [body, message] of cases) {
      const r = await post("/v1/nodes", body);
      expect(r.statusCode).toBe(400);
      expect(r.json().message).toMatch(message);
    }
    expect((await app.inject({ method: "GET", url: "/v1/nodes" })).json()).toEqual([]);
    expect((await post("/v1/nodes", edge1.body)).statusCode).toBe(201);
  });

  it("a renewed certificate replaces the old one even while tasks run on the node", async () => {
    await start();
    for (const n of BODIES) await post("/v1/nodes", n);
    expect((await post("/v1/tasks", { ...TASK, id: "eu", regulation: EU })).json().node).toBe("edge1");
    const renewed = registration(base("edge1", "edge"), pca.issueWithKey("edge1", { country: "FR", organisations: ["ACME"] }), NOW);
    const r = await post("/v1/nodes", renewed);
    expect(r.statusCode).toBe(200);
    expect(r.json().attributeCert.payload.country).toBe("FR");
  });

  it("keeps tasks' regulations and nodes' certificates across a restart", async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), "fmpca-state-"));
    try {
      const agents = await start({ stateDir });
      for (const n of BODIES) await post("/v1/nodes", n);
      expect((await post("/v1/tasks", { ...TASK, id: "eu", regulation: EU })).json().node).toBe("edge1");
      await app.close();
      await start({ stateDir }, agents); // the agents (and the workload) live on
      expect((await app.inject({ method: "GET", url: "/v1/tasks/eu" })).json()).toMatchObject({ node: "edge1", request: { regulation: EU } });
      expect((await app.inject({ method: "GET", url: "/v1/nodes/cloud2" })).json().attributeCert).toEqual(NODES[3]!.attributeCert);
      // The restored task is still judged by its regulation: a move to the US fails in PLANNING.
      const move = await post("/v1/migrations", { task: "eu", to: "cloud1" });
      await settle();
      expect((await app.inject({ method: "GET", url: `/v1/migrations/${move.json().id}` })).json().error).toMatch(/country US not allowed by regulation \[DE, FR\]/);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it("a scheduler whose policy has no data protection refuses a regulated task rather than ignoring it", async () => {
    app = await buildSchedulerApp({ policy: createPolicy("delay-aware", { nodes: [NODES[0]!], models: MODELS }), models: MODELS, agents: fakeAgents().directory, prober: new FakeProber([]) });
    const r = await post("/v1/tasks", { ...TASK, regulation: EU });
    expect(r.statusCode).toBe(409);
    expect(r.json().reason).toMatch(/no data protection configured/);
    expect((await post("/v1/tasks", TASK)).statusCode).toBe(201);
  });
});
