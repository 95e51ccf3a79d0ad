import { sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signedBytes } from "../../../../src/pca/certificate.js";
import { keyId } from "../../../../src/pca/keys.js";
import { admissionProblem, regulationInputProblem, regulationProblem } from "../../../../src/pca/regulation.js";
import { certificateVerifier, verifyCertificate } from "../../../../src/pca/verify.js";
import { DAY, NOW, testPca } from "../../../helpers/pca.js";

const pca = testPca();
const other = testPca();
const trusted = [pca.trusted];

describe("verifyCertificate", () => {
  it("accepts a certificate of a trusted PCA, for its node, inside its validity period", () => {
    const cert = pca.issue("cloud1");
    const v = verifyCertificate(cert, "cloud1", trusted, NOW);
    expect(v).toEqual({ ok: true, payload: cert.payload });
    // Any of several trusted PCAs will do.
    expect(verifyCertificate(other.issue("cloud1"), "cloud1", [pca.trusted, other.trusted], NOW).ok).toBe(true);
  });

  it("refuses a forged certificate: another key signed it while naming the trusted PCA as issuer", () => {
    const cert = pca.issue("cloud1");
    const forged = { ...cert, signature: sign(null, signedBytes(cert.payload), other.keys.privateKey).toString("base64url") };
    expect(forged.payload.issuer).toBe(pca.trusted.id);
    expect(verifyCertificate(forged, "cloud1", trusted, NOW)).toEqual({
      ok: false,
      reason: `certificate of cloud1 not signed by a trusted PCA (its signature does not verify with PCA ${pca.trusted.id}: forged or altered)`,
    });
  });

  it("refuses a certificate of a PCA it does not trust", () => {
    const v = verifyCertificate(other.issue("cloud3"), "cloud3", trusted, NOW);
    expect(v).toEqual({ ok: false, reason: `certificate of cloud3 not signed by a trusted PCA (issuer ${keyId(other.keys.publicKey)} is not one)` });
  });

  it("refuses a tampered attribute (country, organisations, validity, subject)", () => {
    const cert = pca.issue("cloud1", { country: "US" });
    const tampers = [
      { ...cert.payload, country: "DE" },
      { ...cert.payload, organisations: ["ACME", "GLOBEX"] },
      { ...cert.payload, notAfter: new Date(NOW.getTime() + 3650 * DAY).toISOString() },
    ];
    for (const payload of tampers) {
      const v = verifyCertificate({ ...cert, payload }, "cloud1", trusted, NOW);
      expect(v.ok).toBe(false);
      expect(!v.ok && v.reason).toMatch(/^certificate of cloud1 not signed by a trusted PCA \(its signature does not verify/);
    }
  });

  it("refuses an expired certificate, and one not yet valid", () => {
    const expired = pca.issue("cloud2", { notBefore: new Date(NOW.getTime() - 10 * DAY), notAfter: new Date(NOW.getTime() - DAY) });
    expect(verifyCertificate(expired, "cloud2", trusted, NOW)).toEqual({ ok: false, reason: `certificate of cloud2 expired (${expired.payload.notAfter})` });
    const early = pca.issue("cloud2", { notBefore: new Date(NOW.getTime() + DAY), notAfter: new Date(NOW.getTime() + 9 * DAY) });
    expect(verifyCertificate(early, "cloud2", trusted, NOW)).toEqual({ ok: false, reason: `certificate of cloud2 not yet valid (from ${early.payload.notBefore})` });
    // notAfter itself is outside, notBefore inside.
    const cert = pca.issue("cloud2");
    expect(verifyCertificate(cert, "cloud2", trusted, new Date(cert.payload.notAfter)).ok).toBe(false);
    expect(verifyCertificate(cert, "cloud2", trusted, new Date(cert.payload.notBefore)).ok).toBe(true);
  });

  it("refuses another node's certificate and a malformed one", () => {
    expect(verifyCertificate(pca.issue("cloud1"), "cloud9", trusted, NOW)).toEqual({ ok: false, reason: "certificate of cloud9 was issued for node cloud1" });
    const v = verifyCertificate({ format: "fleximigrate-attribute-certificate" }, "cloud1", trusted, NOW);
    expect(!v.ok && v.reason).toBe("certificate of cloud1 is malformed: certificate lacks 'payload'");
  });

  it("the remembering verifier answers the same, and still checks the time on every call", () => {
    const verify = certificateVerifier(trusted);
    const cert = pca.issue("cloud1");
    expect(verify(cert, "cloud1", NOW)).toEqual(verifyCertificate(cert, "cloud1", trusted, NOW));
    expect(verify(cert, "cloud1", new Date(NOW.getTime() + 365 * DAY))).toMatchObject({ ok: false, reason: expect.stringMatching(/expired/) });
    expect(verify(cert, "cloud2", NOW)).toMatchObject({ ok: false, reason: "certificate of cloud2 was issued for node cloud1" });
  });
});

describe("regulation", () => {
  const payload = pca.issue("cloud1", { country: "US", organisations: ["ACME", "INITECH"] }).payload;

  it("a country outside the regulation's is refused with both named", () => {
    expect(regulationProblem("cloud1", payload, { countries: ["DE", "FR"] })).toBe("node cloud1: country US not allowed by regulation [DE, FR]");
    expect(regulationProblem("cloud1", payload, { countries: ["US"] })).toBeUndefined();
  });

  it("the node must be certified for every organisation of the regulation", () => {
    expect(regulationProblem("cloud1", payload, { organisations: ["ACME"] })).toBeUndefined();
    expect(regulationProblem("cloud1", payload, { organisations: ["ACME", "INITECH"] })).toBeUndefined();
    expect(regulationProblem("cloud1", payload, { organisations: ["ACME", "GLOBEX"] })).toBe(
      "node cloud1: organisation GLOBEX of the regulation not among the node's [ACME, INITECH]",
    );
  });

  it("admission: no certificate, a failing one, or one that does not satisfy the regulation", () => {
    const verify = (cert: unknown, node: string) => verifyCertificate(cert, node, trusted, NOW);
    expect(admissionProblem({ name: "edge1" }, { countries: ["DE"] }, verify)).toBe("node edge1 presents no attribute certificate");
    expect(admissionProblem({ name: "cloud3", attributeCert: other.issue("cloud3") }, { countries: ["DE"] }, verify)).toMatch(/^certificate of cloud3 not signed by a trusted PCA/);
    expect(admissionProblem({ name: "cloud1", attributeCert: pca.issue("cloud1", { country: "US" }) }, { countries: ["DE", "FR"] }, verify)).toBe(
      "node cloud1: country US not allowed by regulation [DE, FR]",
    );
    expect(admissionProblem({ name: "cloud1", attributeCert: pca.issue("cloud1", { country: "FR" }) }, { countries: ["DE", "FR"] }, verify)).toBeUndefined();
  });

  it("checks a client's regulation: real country codes, no duplicates, something to regulate", () => {
    expect(regulationInputProblem({ countries: ["DE"], organisations: ["ACME"] })).toBeUndefined();
    expect(regulationInputProblem({})).toBe("regulation must name countries or organisations");
    expect(regulationInputProblem({ countries: ["UK"] })).toMatch(/regulation.countries must be an ISO 3166-1 alpha-2 country code .*"UK"/);
    expect(regulationInputProblem({ countries: ["DE", "DE"] })).toBe("regulation.countries lists a country twice");
    expect(regulationInputProblem({ countries: [] })).toBe("regulation.countries must not be empty");
    expect(regulationInputProblem({ organisations: ["a b"] })).toMatch(/not an organisation code/);
  });
});
