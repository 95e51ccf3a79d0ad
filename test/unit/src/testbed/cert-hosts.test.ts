import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { demoTrust } from "../../../../src/demo/demo-trust.js";
import { loadDefinition } from "../../../../src/testbed/definition.js";
import { planTestbed, testbedCertHosts } from "../../../../src/testbed/plan.js";

const plan = planTestbed({ prefix: "fmt", definition: loadDefinition(), controllerPort: 44653, rootNetnsPid: 4242 });
const dir = mkdtempSync(path.join(tmpdir(), "fmtb-trust-"));

describe("the testbed's certificates", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("name each agent's site address and the scheduler's management ports", () => {
    const hosts = testbedCertHosts(plan);
    expect(hosts["agent-edge1"]).toEqual(["10.144.254.1"]);
    expect(hosts["agent-cloud1"]).toEqual(["10.144.254.5"]);
    expect(hosts["scheduler-scheduler"]).toEqual(plan.siteGateways.map((g) => g.ip));
    expect(hosts["scheduler-scheduler"]).toEqual(["10.144.255.254", "10.144.255.253", "10.144.255.252"]);
  });

  it("are issued with those addresses as IP SANs beside localhost; the admin's names no address", () => {
    const trust = demoTrust(dir, plan.hosts.map((h) => h.node), testbedCertHosts(plan));
    const san = (file: string) => new X509Certificate(readFileSync(path.join(trust.dir, file))).subjectAltName ?? "";
    expect(san("agent-edge3.crt")).toContain("IP Address:10.144.254.3");
    expect(san("agent-edge3.crt")).toContain("IP Address:127.0.0.1");
    expect(san("agent-edge3.crt")).not.toContain("10.144.254.1,");
    for (const g of plan.siteGateways) expect(san("scheduler-scheduler.crt")).toContain(`IP Address:${g.ip}`);
    expect(san("admin-admin.crt")).not.toContain("10.144.");
    expect(trust.args).toEqual(["--tls-dir", trust.dir]);
  });
});
