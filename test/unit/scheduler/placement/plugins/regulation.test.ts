import { describe, expect, it } from "vitest";
import { certificateAdmission } from "../../../../../scheduler/placement/data-protection.js";
import { DelayAwarePolicy } from "../../../../../scheduler/placement/delay-aware.js";
import { regulationFilter } from "../../../../../scheduler/placement/plugins/regulation.js";
import { createPolicy } from "../../../../../scheduler/placement/policies.js";
import type { NodeAdmission, NodeSpec, TaskRequest } from "../../../../../scheduler/placement/types.js";
import { DAY, NOW, testPca } from "../../../../helpers/pca.js";
import { node } from "../node-fixture.js";

const model = { kind: "power" as const, a: 100, b: -1 }; // 100 ms on one core: share = 100 / (budget - delay)
const models = { "w/c": model };
const req = (id: string, delayBudgetMs: number, extra: Partial<TaskRequest> = {}): TaskRequest => ({ id, device: "d", workload: "w", inputClass: "c", delayBudgetMs, ...extra });
const EU = { countries: ["DE", "FR"] };

const pca = testPca();
const rogue = testPca();
/** edge1 DE, edge2 US; cloud1 US (the biggest), cloud2 DE but expired, cloud3 FR by an untrusted PCA, cloud4 FR. */
function nodes(): NodeSpec[] {
  const expired = { notBefore: new Date(NOW.getTime() - 9 * DAY), notAfter: new Date(NOW.getTime() - DAY) };
  return [
    { name: "edge1", tier: "edge", cpus: 1, netDelayMs: 0, attributeCert: pca.issue("edge1", { country: "DE" }) },
    { name: "edge2", tier: "edge", cpus: 1, netDelayMs: 0, attributeCert: pca.issue("edge2", { country: "US" }) },
    { name: "cloud1", tier: "cloud", cpus: 8, netDelayMs: 50, attributeCert: pca.issue("cloud1", { country: "US" }) },
    { name: "cloud2", tier: "cloud", cpus: 8, netDelayMs: 50, attributeCert: pca.issue("cloud2", { country: "DE", ...expired }) },
    { name: "cloud3", tier: "cloud", cpus: 8, netDelayMs: 50, attributeCert: rogue.issue("cloud3", { country: "FR" }) },
    { name: "cloud4", tier: "cloud", cpus: 2, netDelayMs: 50, attributeCert: pca.issue("cloud4", { country: "FR" }) },
  ];
}
const admission = () => certificateAdmission([pca.trusted], () => NOW);
const policy = (specs = nodes()) => new DelayAwarePolicy({ nodes: specs, models, admission: admission() });

describe("regulationFilter", () => {
  const fake: NodeAdmission = {
    restricts: (r) => r.regulation !== undefined,
    refuse: (_r, n) => (n.name === "bad" ? "node bad: country US not allowed by regulation [DE]" : undefined),
  };
  const filter = regulationFilter(fake);
  const need = () => 100;

  it("judges only regulated requests, so unregulated passes stay on the capacity index", () => {
    expect(filter.appliesTo!(req("a", 500))).toBe(false);
    expect(filter.appliesTo!(req("a", 500, { regulation: EU }))).toBe(true);
    expect(filter.filter(node("bad", "cloud", 4, 50, 0), need, req("a", 500))).toBe(true);
  });

  it("passes a node the admission allows for the request and no other", () => {
    const r = req("a", 500, { regulation: EU });
    expect(filter.filter(node("good", "cloud", 4, 50, 0), need, r)).toBe(true);
    expect(filter.filter(node("bad", "cloud", 4, 50, 0), need, r)).toBe(false);
  });
});

describe("delay-aware with data protection", () => {
  it("rule 1 places a regulated request only on an allowed edge node, an unregulated one as before", () => {
    const p = policy();
    expect(p.place(req("us-load", 1000)).node).toBe("edge1"); // most used ties: name
    expect(p.place(req("more", 1000)).node).toBe("edge1");
    // edge1 is the most used; a US-only regulation still cannot use it.
    expect(p.place(req("us", 1000, { regulation: { countries: ["US"] } })).node).toBe("edge2");
    expect(p.place(req("eu", 1000, { regulation: EU })).node).toBe("edge1");
  });

  it("rule 2 goes only to an allowed cloud node (not the expired, not the untrusted, not the US one)", () => {
    const p = policy();
    // Fill both edge nodes (0.991 core each) with requests no cloud node can take at 50 ms.
    expect(p.place(req("pin1", 101, { priority: 9 })).node).toBe("edge1");
    expect(p.place(req("pin2", 101, { priority: 9 })).node).toBe("edge2");
    const d = p.place(req("eu", 1000, { regulation: EU }));
    expect(d).toMatchObject({ node: "cloud4", case: 2 });
  });

  it("rule 3 frees only an allowed edge node, and moves a regulated request only to an allowed cloud node", () => {
    const p = policy();
    // edge1: a regulated loose request (0.1 core, moved first) and one no cloud node can take (0.893): 0.007 free.
    expect(p.place(req("eu-loose", 1000, { priority: 0, regulation: EU })).node).toBe("edge1");
    expect(p.place(req("fill1", 112, { priority: 5 })).node).toBe("edge1");
    // edge2: 0.953 core pinned, 0.047 free.
    expect(p.place(req("fill2", 105, { priority: 5 })).node).toBe("edge2");
    // A new EU request (0.1 core): edge1 is freed by moving eu-loose to cloud4 (FR), although cloud1 comes first by name.
    const d = p.place(req("eu-new", 1000, { regulation: EU }));
    expect(d).toMatchObject({ node: "edge1", case: 3, migrations: [{ request: "eu-loose", from: "edge1", to: "cloud4" }] });
  });

  it("an unregulated request moved by rule 3 may go to any cloud node", () => {
    const p = policy();
    expect(p.place(req("loose", 1000, { priority: 0 })).node).toBe("edge1");
    p.place(req("fill1", 112, { priority: 5 }));
    p.place(req("fill2", 105, { priority: 5 }));
    const d = p.place(req("new", 1000));
    expect(d).toMatchObject({ node: "edge1", case: 3, migrations: [{ request: "loose", from: "edge1", to: "cloud1" }] }); // name order among empty cloud nodes
  });

  it("refuses with every node's reason when the regulation allows none", () => {
    const p = policy();
    const d = p.place(req("jp", 1000, { regulation: { countries: ["JP"] } }));
    expect(d.node).toBeNull();
    expect(d.reason).toBe(
      "no node satisfies the task's regulation: node edge1: country DE not allowed by regulation [JP]; node edge2: country US not allowed by regulation [JP]; " +
        "node cloud1: country US not allowed by regulation [JP]; certificate of cloud2 expired (" +
        nodes()[3]!.attributeCert!.payload.notAfter +
        "); certificate of cloud3 not signed by a trusted PCA (issuer " +
        rogue.trusted.id +
        " is not one); and 1 more",
    );
    expect(p.placements()).toEqual([]);
  });

  it("an organisation mismatch and a node without a certificate are refused too", () => {
    const specs: NodeSpec[] = [
      { name: "edge1", tier: "edge", cpus: 1, netDelayMs: 0, attributeCert: pca.issue("edge1", { organisations: ["ACME"] }) },
      { name: "edge2", tier: "edge", cpus: 1, netDelayMs: 0 },
    ];
    const d = policy(specs).place(req("g", 1000, { regulation: { organisations: ["GLOBEX"] } }));
    expect(d.reason).toBe(
      "no node satisfies the task's regulation: node edge1: organisation GLOBEX of the regulation not among the node's [ACME]; node edge2 presents no attribute certificate",
    );
  });

  it("without a trusted PCA regulated requests are refused and unregulated ones placed as before", () => {
    const p = createPolicy("delay-aware", { nodes: nodes(), models, admission: certificateAdmission([], () => NOW) });
    expect(p.place(req("eu", 1000, { regulation: EU })).reason).toMatch(/^no node satisfies the task's regulation: node edge1: the scheduler trusts no PCA/);
    expect(p.place(req("plain", 1000)).node).toBe("edge1");
  });

  it("decides unregulated traces exactly as a policy without data protection", () => {
    const plain = createPolicy("delay-aware", { nodes: nodes(), models });
    const guarded = policy();
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 300; i++) {
      if (i > 20 && rand() < 0.3) {
        const id = `r${Math.floor(rand() * i)}`;
        expect(guarded.release(id)).toBe(plain.release(id));
        continue;
      }
      const r = req(`r${i}`, 60 + Math.floor(rand() * 1500), rand() < 0.5 ? { priority: Math.floor(rand() * 5) } : {});
      expect(guarded.place(r)).toEqual(plain.place(r));
    }
  });
});
