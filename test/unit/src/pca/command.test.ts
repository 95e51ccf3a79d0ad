// `fleximigrate pca init|issue|verify` as a user runs it.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../../helpers/cli.js";

const dir = mkdtempSync(path.join(tmpdir(), "fmpca-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (f: string) => path.join(dir, f);
const mode = (f: string) => (statSync(f).mode & 0o777).toString(8);

describe("fleximigrate pca", () => {
  it("init, issue, verify: keys 0600 and never printed, the certificate verifies with the PCA's public key", async () => {
    const init = await runCli(["pca", "init", at("pca"), "--json"]);
    expect(init.code).toBe(0);
    const made = JSON.parse(init.stdout) as { id: string; privateKey: string; publicKey: string };
    expect(made.id).toMatch(/^[0-9a-f]{32}$/);
    expect(mode(at("pca/pca.key"))).toBe("600");
    expect(mode(at("pca"))).toBe("700");
    expect(readFileSync(at("pca/pca.key"), "utf8")).toMatch(/BEGIN PRIVATE KEY/);
    expect(init.stdout + init.stderr).not.toMatch(/PRIVATE KEY/);

    const issue = await runCli(["pca", "issue", "--pca", at("pca"), "--node", "cloud1", "--country", "DE", "--org", "ACME", "--org", "GLOBEX", "--days", "30", "--out", at("cloud1.json")]);
    expect(issue.code).toBe(0);
    expect(issue.stdout).toMatch(/certificate .*cloud1.json: node cloud1, country DE, organisations \[ACME, GLOBEX\]/);
    expect(issue.stdout + issue.stderr).not.toMatch(/PRIVATE KEY/);
    expect(mode(at("cloud1.key"))).toBe("600");
    const cert = JSON.parse(readFileSync(at("cloud1.json"), "utf8"));
    expect(cert.payload).toMatchObject({ subject: "cloud1", country: "DE", organisations: ["ACME", "GLOBEX"], issuer: made.id });
    expect(Date.parse(cert.payload.notAfter) - Date.parse(cert.payload.notBefore)).toBe(30 * 86_400_000);

    const ok = await runCli(["pca", "verify", at("cloud1.json"), "--pca", at("pca/pca.pub")]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^OK .*cloud1.json: node cloud1, country DE/);
    const allowed = await runCli(["pca", "verify", at("cloud1.json"), "--pca", at("pca/pca.pub"), "--country", "DE,FR", "--org", "ACME"]);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/satisfies the regulation/);

    const country = await runCli(["pca", "verify", at("cloud1.json"), "--pca", at("pca/pca.pub"), "--country", "FR", "--country", "IT"]);
    expect(country.code).toBe(1);
    expect(country.stdout).toMatch(/REFUSED .*: node cloud1: country DE not allowed by regulation \[FR, IT\]/);
    const org = await runCli(["pca", "verify", at("cloud1.json"), "--pca", at("pca/pca.pub"), "--org", "INITECH", "--json"]);
    expect(org.code).toBe(1);
    expect(JSON.parse(org.stdout)).toMatchObject({ ok: false, reason: "node cloud1: organisation INITECH of the regulation not among the node's [ACME, GLOBEX]" });
    const expired = await runCli(["pca", "verify", at("cloud1.json"), "--pca", at("pca/pca.pub"), "--at", "2099-01-01T00:00:00Z"]);
    expect(expired.code).toBe(1);
    expect(expired.stdout).toMatch(/certificate of cloud1 expired/);

    // Another PCA, and an attribute changed in the file.
    expect((await runCli(["pca", "init", at("other")])).code).toBe(0);
    const untrusted = await runCli(["pca", "verify", at("cloud1.json"), "--pca", at("other/pca.pub")]);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stdout).toMatch(/certificate of cloud1 not signed by a trusted PCA/);
    writeFileSync(at("tampered.json"), JSON.stringify({ ...cert, payload: { ...cert.payload, country: "FR" } }));
    const tampered = await runCli(["pca", "verify", at("tampered.json"), "--pca", at("pca/pca.pub")]);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/not signed by a trusted PCA \(its signature does not verify/);
  }, 60_000);

  it("issues for a given node public key without making a key pair", async () => {
    await runCli(["pca", "init", at("p2")]);
    await runCli(["pca", "init", at("node-keys")]);
    const r = await runCli(["pca", "issue", "--pca", at("p2"), "--node", "edge1", "--country", "FR", "--org", "ACME", "--node-key", at("node-keys/pca.pub"), "--out", at("edge1.json")]);
    expect(r.code).toBe(0);
    expect(() => statSync(at("edge1.key"))).toThrow();
  }, 30_000);

  it("bad input exits 2 with a message naming the flag or file, and never overwrites a key", async () => {
    await runCli(["pca", "init", at("p3")]);
    const cases: Array<[string[], RegExp]> = [
      [["pca", "init", at("p3")], /pca.key exists; not overwriting a key/],
      [["pca", "frobnicate"], /unknown action 'frobnicate'/],
      [["pca", "init"], /pca init needs a directory/],
      [["pca", "issue", "--pca", at("p3"), "--node", "n1", "--country", "UK", "--org", "A", "--out", at("x.json")], /--country: .*ISO 3166-1 alpha-2.*"UK"/],
      [["pca", "issue", "--pca", at("p3"), "--node", "n1", "--country", "DE", "--out", at("x.json")], /--org: .*list of 1 to 32/],
      [["pca", "issue", "--pca", at("p3"), "--node", "bad name", "--country", "DE", "--org", "A", "--out", at("x.json")], /--node: expected a node name/],
      [["pca", "issue", "--pca", at("p3"), "--country", "DE", "--org", "A", "--out", at("x.json")], /--node is required/],
      [["pca", "issue", "--pca", at("p3"), "--node", "n1", "--country", "DE", "--org", "A", "--days", "0", "--out", at("x.json")], /--days/],
      [["pca", "issue", "--pca", at("nowhere"), "--node", "n1", "--country", "DE", "--org", "A", "--out", at("x.json")], /cannot read .*nowhere\/pca.key: ENOENT/],
      [["pca", "verify", at("missing.json"), "--pca", at("p3/pca.pub")], /cannot read .*missing.json: ENOENT/],
      [["pca", "verify", at("p3/pca.pub"), "--pca", at("p3/pca.pub")], /pca.pub: not valid JSON/],
      [["pca", "verify", at("p3/pca.pub")], /--pca PUB is required/],
      [["pca", "verify", at("p3/pca.pub"), "--pca", at("p3/pca.key")], /holds a private key; give the .pub file/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(message);
    }
  }, 120_000);

  it("refuses a private key others can read", async () => {
    await runCli(["pca", "init", at("p4")]);
    const { chmodSync } = await import("node:fs");
    chmodSync(at("p4/pca.key"), 0o644);
    const r = await runCli(["pca", "issue", "--pca", at("p4"), "--node", "n1", "--country", "DE", "--org", "A", "--out", at("y.json")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/private key is readable by others \(mode 644\); chmod 600 it/);
  }, 30_000);
});
