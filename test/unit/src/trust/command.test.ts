// `fleximigrate certs init|issue|token` as a user runs it, with the system's openssl.
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { verifyToken } from "../../../../src/trust/token.js";
import { loadTlsMaterial, readCaPublicKey } from "../../../../src/trust/tls-dir.js";
import { runCli } from "../../../helpers/cli.js";

const dir = mkdtempSync(path.join(tmpdir(), "fma-certs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (f: string) => path.join(dir, f);
const mode = (f: string) => (statSync(f).mode & 0o777).toString(8);

describe("fleximigrate certs", () => {
  it("init, issue, token: keys 0600 and never printed, certificates carry role and name, tokens verify with ca.crt", async () => {
    const init = await runCli(["certs", "init", at("ca")]);
    expect(init.code, init.stderr).toBe(0);
    expect(mode(at("ca"))).toBe("700");
    expect(mode(at("ca/ca.key"))).toBe("600");
    const issue = await runCli(["certs", "issue", at("ca"), "--role", "agent", "--name", "edge1", "--host", "10.0.0.7", "--json"]);
    expect(issue.code, issue.stderr).toBe(0);
    expect(JSON.parse(issue.stdout)).toEqual({ role: "agent", name: "edge1", cert: at("ca/agent-edge1.crt"), key: at("ca/agent-edge1.key") });
    expect(mode(at("ca/agent-edge1.key"))).toBe("600");
    const cert = new X509Certificate(readFileSync(at("ca/agent-edge1.crt")));
    expect(cert.subject).toContain("OU=agent");
    expect(cert.subject).toContain("CN=edge1");
    expect(cert.subjectAltName).toContain("URI:fleximigrate:agent:edge1");
    expect(cert.subjectAltName).toContain("IP Address:10.0.0.7");
    expect(cert.verify(new X509Certificate(readFileSync(at("ca/ca.crt"))).publicKey)).toBe(true);
    expect(loadTlsMaterial(at("ca"), { role: "agent", name: "edge1" }).identity).toEqual({ role: "agent", name: "edge1" });
    const token = await runCli(["certs", "token", at("ca"), "--role", "device", "--name", "cam-1", "--days", "1"]);
    expect(token.code, token.stderr).toBe(0);
    expect(verifyToken(token.stdout.trim(), readCaPublicKey(at("ca")))).toMatchObject({ ok: true, identity: { role: "device", name: "cam-1" } });
    for (const r of [init, issue, token]) expect(r.stdout + r.stderr).not.toMatch(/PRIVATE KEY/);
  }, 60_000);

  it("never overwrites, and refuses bad roles, names and a missing CA with a message naming the flag", async () => {
    expect((await runCli(["certs", "init", at("ca2")])).code).toBe(0);
    const again = await runCli(["certs", "init", at("ca2")]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds a CA/);
    expect((await runCli(["certs", "issue", at("ca2"), "--role", "admin", "--name", "admin"])).code).toBe(0);
    expect((await runCli(["certs", "issue", at("ca2"), "--role", "admin", "--name", "admin"])).stderr).toMatch(/not overwriting/);
    const cases: Array<[string[], RegExp]> = [
      [["certs", "issue", at("ca2"), "--role", "root", "--name", "x"], /--role: expected a role out of scheduler/],
      [["certs", "issue", at("ca2"), "--role", "agent", "--name", "a b"], /--name: expected a name/],
      [["certs", "token", at("ca2"), "--role", "agent", "--name", "edge1"], /--role: expected a role out of device, admin, viewer/],
      [["certs", "issue", at("ca2"), "--name", "x"], /--role is required/],
      [["certs", "rotate", at("ca2")], /unknown action 'rotate'/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const none = await runCli(["certs", "issue", at("nowhere"), "--role", "admin", "--name", "a"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/holds no CA: run fleximigrate certs init/);
  }, 60_000);

  it("a service refuses to start with neither --tls-dir nor --insecure", async () => {
    for (const args of [["scheduler", "--port", "0", "--state-dir", at("s")], ["controller", "--http-port", "0", "--openflow-port", "0", "--dns-port", "0", "--state-dir", at("c")], ["agent", "--node", "n1", "--tier", "edge", "--listen", "127.0.0.1:0", "--work-dir", at("w")]]) {
      const r = await runCli(args);
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/refusing to start without TLS: give --tls-dir DIR .* or --insecure/);
    }
  }, 60_000);
});
