// The pure parts of trust: roles and names, the identity a certificate
// names (subject and SAN must agree), and the bearer token format.
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { identityOfCertificate, parseIdentityName, parseRole, TOKEN_ROLES } from "../../../../src/trust/identity.js";
import { signToken, verifyToken } from "../../../../src/trust/token.js";

describe("roles and names", () => {
  it("takes the six roles and names without spaces, slashes or colons", () => {
    for (const r of ["scheduler", "controller", "agent", "admin", "device", "viewer"]) expect(parseRole(r)).toBe(r);
    expect(() => parseRole("root")).toThrow(/expected a role out of scheduler, controller, agent, admin, device, viewer, got 'root'/);
    expect(() => parseRole("agent", TOKEN_ROLES)).toThrow(/device, admin, viewer/);
    expect(parseIdentityName("edge-1.a_b")).toBe("edge-1.a_b");
    for (const bad of ["", "a b", "a/b", "a:b", "-x", "x".repeat(64)]) expect(() => parseIdentityName(bad)).toThrow(/expected a name/);
  });
});

describe("the identity a certificate names", () => {
  it("reads OU and CN, or the SAN URI, and refuses them when they disagree", () => {
    expect(identityOfCertificate({ subject: { O: "FlexiMigrate", OU: "agent", CN: "edge1" } })).toEqual({ role: "agent", name: "edge1" });
    expect(identityOfCertificate({ subjectaltname: "URI:fleximigrate:device:cam-1, DNS:localhost" })).toEqual({ role: "device", name: "cam-1" });
    expect(identityOfCertificate({ subject: { OU: "agent", CN: "edge1" }, subjectaltname: "URI:fleximigrate:agent:edge1, IP Address:127.0.0.1" })).toEqual({ role: "agent", name: "edge1" });
    expect(identityOfCertificate({ subject: { OU: "agent", CN: "edge1" }, subjectaltname: "URI:fleximigrate:admin:edge1" })).toEqual({ problem: "certificate subject and SAN name different identities" });
    expect(identityOfCertificate({ subject: { OU: "root", CN: "x" } })).toEqual({ problem: "certificate names no role (OU) and name (CN)" });
    expect(identityOfCertificate({ subject: { OU: ["agent", "admin"], CN: "x" } })).toHaveProperty("problem");
    expect(identityOfCertificate({ subjectaltname: "URI:fleximigrate:agent:a, URI:fleximigrate:admin:b" })).toEqual({ problem: "certificate names more than one fleximigrate identity" });
    expect(identityOfCertificate({ subjectaltname: "URI:fleximigrate:god:x" })).toHaveProperty("problem");
  });
});

describe("bearer tokens", () => {
  const ca = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const other = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const now = new Date("2026-06-01T00:00:00Z");
  const iat = now.getTime() / 1000 - 10;

  it("verifies against the CA's public key and gives the role and name", () => {
    const t = signToken(ca.privateKey, { role: "device", name: "cam-1", iat, exp: iat + 3600 });
    expect(t).toMatch(/^fmt1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(verifyToken(t, ca.publicKey, now)).toMatchObject({ ok: true, identity: { role: "device", name: "cam-1" } });
  });

  it("refuses another CA's, a changed payload, an expired one, a service role, and junk", () => {
    const t = signToken(ca.privateKey, { role: "viewer", name: "dash", iat });
    expect(verifyToken(t, other.publicKey, now)).toEqual({ ok: false, problem: "token signature does not verify against the CA" });
    const [p, , s] = t.split(".");
    const forged = Buffer.from(JSON.stringify({ role: "admin", name: "dash", iat })).toString("base64url");
    expect(verifyToken(`${p}.${forged}.${s}`, ca.publicKey, now).ok).toBe(false);
    expect(verifyToken(signToken(ca.privateKey, { role: "admin", name: "a", iat, exp: iat + 5 }), ca.publicKey, now)).toEqual({ ok: false, problem: "token expired" });
    const asAgent = signToken(ca.privateKey, { role: "agent" as "device", name: "edge1", iat });
    expect(verifyToken(asAgent, ca.publicKey, now)).toEqual({ ok: false, problem: "token carries no role a token may have" });
    for (const junk of ["", "abc", "fmt1.x", "fmt2.a.b", "fmt1.!!.??"]) expect(verifyToken(junk, ca.publicKey, now).ok).toBe(false);
  });
});
