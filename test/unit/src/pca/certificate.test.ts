import { describe, expect, it } from "vitest";
import { COUNTRY_COUNT, isCountryCode } from "../../../../src/pca/countries.js";
import { canonicalJson, CertificateFormatError, parseCertificate, signedBytes } from "../../../../src/pca/certificate.js";
import { testPca } from "../../../helpers/pca.js";

describe("attribute certificate format", () => {
  const pca = testPca();
  const cert = pca.issue("cloud1", { country: "FR", organisations: ["GLOBEX", "ACME"] });

  it("holds the node, country, organisations (sorted), validity, the node's key and the issuer's key id", () => {
    expect(cert.format).toBe("fleximigrate-attribute-certificate");
    expect(cert.payload).toMatchObject({ version: 1, subject: "cloud1", country: "FR", organisations: ["ACME", "GLOBEX"], issuer: pca.trusted.id });
    expect(cert.payload.subjectPublicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cert.signature).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(parseCertificate(JSON.parse(JSON.stringify(cert)))).toEqual(cert);
  });

  it("signs canonical bytes: keys sorted at every level, so field order in the file does not matter", () => {
    expect(canonicalJson({ b: 1, a: [{ d: "x", c: null }] })).toBe('{"a":[{"c":null,"d":"x"}],"b":1}');
    const reordered = Object.fromEntries(Object.entries(cert.payload).reverse()) as typeof cert.payload;
    expect(signedBytes(reordered).equals(signedBytes(cert.payload))).toBe(true);
    expect(signedBytes(cert.payload).toString()).toMatch(/^fleximigrate attribute certificate v1\n\{"country":"FR",/);
  });

  it("knows the 249 ISO 3166-1 alpha-2 codes and nothing else", () => {
    expect(COUNTRY_COUNT).toBe(249);
    for (const c of ["DE", "FR", "US", "GB", "JP"]) expect(isCountryCode(c)).toBe(true);
    for (const c of ["UK", "EU", "de", "DEU", "", 49]) expect(isCountryCode(c)).toBe(false);
  });

  type Editable = Record<string, unknown> & { payload: Record<string, unknown> };
  const bad: Array<[string, (c: Editable) => void, RegExp]> = [
    ["an unknown field", (c) => (c.extra = 1), /unknown field 'extra'/],
    ["a missing payload field", (c) => delete c.payload.country, /payload lacks 'country'/],
    ["a country that is not ISO 3166", (c) => (c.payload.country = "UK"), /payload.country must be an ISO 3166-1 alpha-2/],
    ["no organisations", (c) => (c.payload.organisations = []), /payload.organisations must be a list of 1 to 32/],
    ["a duplicate organisation", (c) => (c.payload.organisations = ["A", "A"]), /twice/],
    ["a bad organisation code", (c) => (c.payload.organisations = ["a b"]), /not an organisation code/],
    ["a non-canonical time", (c) => (c.payload.notAfter = "2027-01-01"), /payload.notAfter must be an ISO time/],
    ["notAfter before notBefore", (c) => (c.payload.notAfter = c.payload.notBefore), /notAfter must be after/],
    ["a short public key", (c) => (c.payload.subjectPublicKey = "AAAA"), /subjectPublicKey must be 32 bytes/],
    ["a short signature", (c) => (c.signature = "AAAA"), /signature must be 64 bytes/],
    ["another format", (c) => (c.format = "x509"), /format must be/],
    ["version 2", (c) => (c.payload.version = 2), /version must be 1/],
  ];
  for (const [what, change, message] of bad) {
    it(`refuses ${what}`, () => {
      const c = structuredClone(cert) as unknown as Editable;
      change(c);
      expect(() => parseCertificate(c)).toThrow(CertificateFormatError);
      expect(() => parseCertificate(c)).toThrow(message);
    });
  }
});
