// PLANNING's data protection: the destination's attribute certificate against
// the moved task's regulation, through the manager with its fakes and the real
// admission over a real placement policy.
import { sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { AttributeCertificate } from "../../../../src/api-types/scheduler.js";
import { signedBytes } from "../../../../src/pca/certificate.js";
import { policyAdmission } from "../../../../scheduler/migration/policy-admission.js";
import { certificateAdmission } from "../../../../scheduler/placement/data-protection.js";
import { createPolicy } from "../../../../scheduler/placement/policies.js";
import { DAY, NOW, testPca } from "../../../helpers/pca.js";
import { ORDER, TASK, world } from "./fakes.js";

const pca = testPca();
const rogue = testPca();
const REGULATED = { ...TASK, regulation: { countries: ["DE", "FR"], organisations: ["ACME"] } };

/** The manager over a policy whose cloud1 presents `cert`, moving the regulated task edge1 -> cloud1. */
async function moveTo(cert: AttributeCertificate | undefined, task: typeof TASK = REGULATED) {
  const policy = createPolicy("delay-aware", {
    nodes: [
      { name: "edge1", tier: "edge", cpus: 2, netDelayMs: 5 },
      { name: "cloud1", tier: "cloud", cpus: 8, netDelayMs: 50, ...(cert ? { attributeCert: cert } : {}) },
    ],
    models: {},
    admission: certificateAdmission([pca.trusted], () => NOW),
  });
  const w = world();
  const mgr = await w.start({ admission: policyAdmission(policy, policy.admission!) });
  const done = (await mgr.settled((await mgr.request({ ...ORDER, task })).id))!;
  return { w, done };
}

const refused: Array<[string, () => AttributeCertificate | undefined, string]> = [
  [
    "a forged certificate (signed by another key, naming the trusted PCA)",
    () => {
      const c = pca.issue("cloud1");
      return { ...c, signature: sign(null, signedBytes(c.payload), rogue.keys.privateKey).toString("base64url") };
    },
    "certificate of cloud1 not signed by a trusted PCA (its signature does not verify",
  ],
  ["a certificate of an untrusted PCA", () => rogue.issue("cloud1"), "certificate of cloud1 not signed by a trusted PCA (issuer"],
  [
    "an expired certificate",
    () => pca.issue("cloud1", { notBefore: new Date(NOW.getTime() - 9 * DAY), notAfter: new Date(NOW.getTime() - DAY) }),
    "certificate of cloud1 expired",
  ],
  ["a certificate not yet valid", () => pca.issue("cloud1", { notBefore: new Date(NOW.getTime() + DAY) }), "certificate of cloud1 not yet valid"],
  [
    "a tampered attribute (US changed to DE)",
    () => {
      const c = pca.issue("cloud1", { country: "US" });
      return { ...c, payload: { ...c.payload, country: "DE" } };
    },
    "certificate of cloud1 not signed by a trusted PCA (its signature does not verify",
  ],
  ["a country mismatch", () => pca.issue("cloud1", { country: "US" }), "node cloud1: country US not allowed by regulation [DE, FR]"],
  ["an organisation mismatch", () => pca.issue("cloud1", { organisations: ["GLOBEX"] }), "node cloud1: organisation ACME of the regulation not among the node's [GLOBEX]"],
  ["no certificate", () => undefined, "node cloud1 presents no attribute certificate"],
];

describe("PLANNING: data protection", () => {
  for (const [what, cert, reason] of refused) {
    it(`refuses ${what}: FAILED with the reason, nothing moved`, async () => {
      const { w, done } = await moveTo(cert());
      expect(done.state).toBe("FAILED");
      expect(done.error).toContain(`destination cloud1 not allowed for task t-1: ${reason}`);
      const line = done.log!.find((l) => l.includes("PLANNING -> FAILED"))!;
      expect(line).toMatch(/^ERROR \[DataProtection\]: PLANNING failed: destination cloud1 not allowed for task t-1: /);
      expect(line).toContain(reason);
      // Nothing touched after PENDING's look: no migration, no capacity re-check or reservation, no path; the workload stays.
      expect(w.calls.filter((c) => /startMigration|cap\.recheck|cap\.reserve|ensurePath|redirect|createWorkload|deleteWorkload/.test(c))).toEqual([]);
      expect([...w.edge.workloadsHeld.keys()]).toEqual(["t-1"]);
      expect([...w.cloud.workloadsHeld.keys()]).toEqual([]);
    });
  }

  it("lets a move go on when the destination's certificate satisfies the regulation", async () => {
    const { done } = await moveTo(pca.issue("cloud1", { country: "FR", organisations: ["ACME", "GLOBEX"] }));
    expect(done.state).toBe("COMPLETED");
    expect(done.log).toContain("INFO [DataProtection]: destination cloud1 satisfies the task's regulation");
  });

  it("does not judge unregulated tasks (a node without a certificate takes them)", async () => {
    const { done } = await moveTo(undefined, TASK);
    expect(done.state).toBe("COMPLETED");
    expect(done.log!.some((l) => l.includes("DataProtection"))).toBe(false);
  });
});
