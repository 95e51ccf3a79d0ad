// The controller's DNS server for real: dns2 on an ephemeral port, asked by
// `dig` (UDP and TCP) and by node's own resolver pointed at that port.
import { execFile } from "node:child_process";
import { Resolver } from "node:dns/promises";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DnsRecords } from "../../../../controller/dns/records.js";
import { type RunningDnsServer, startDnsServer } from "../../../../controller/dns/server.js";
import { describeWhen, hasCommand, missing } from "../../../helpers/env.js";

const run = promisify(execFile);

describeWhen("DNS server answers real resolvers", missing([[() => hasCommand("dig", ["-v"]), "dig is not installed (dnsutils)"]]), () => {
  let server: RunningDnsServer;
  let records: DnsRecords;

  async function dig(name: string, ...extra: string[]) {
    const { stdout } = await run("dig", [`@127.0.0.1`, "-p", String(server.port), "+norecurse", "+tries=1", "+time=2", ...extra, name, "A"], { timeout: 10_000 });
    const status = /status: (\w+)/.exec(stdout)?.[1];
    const flags = /;; flags: ([\w ]+);/.exec(stdout)?.[1]?.split(" ") ?? [];
    const answers = [...stdout.matchAll(/^(\S+)\s+(\d+)\s+IN\s+A\s+(\S+)$/gm)].map((m) => ({ name: m[1], ttl: Number(m[2]), ip: m[3] }));
    return { status, flags, answers };
  }

  function resolver() {
    const r = new Resolver({ timeout: 2000, tries: 1 });
    r.setServers([`127.0.0.1:${server.port}`]);
    return r;
  }

  beforeAll(async () => {
    records = new DnsRecords({ ttl: 5 });
    records.set("web", "10.0.0.5");
    records.set("cam.edge1", "10.0.3.4", 2);
    server = await startDnsServer({ port: 0, host: "127.0.0.1", records });
  });

  afterAll(async () => {
    await server?.close();
  });

  it("dig gets an authoritative A answer with the record's TTL, over UDP and TCP", async () => {
    for (const transport of ["+notcp", "+tcp"]) {
      const r = await dig("web.svc.fleximigrate.local", transport);
      expect(r.status, transport).toBe("NOERROR");
      expect(r.flags, transport).toContain("aa");
      expect(r.answers, transport).toEqual([{ name: "web.svc.fleximigrate.local.", ttl: 5, ip: "10.0.0.5" }]);
    }
    expect((await dig("cam.edge1.svc.fleximigrate.local")).answers).toEqual([{ name: "cam.edge1.svc.fleximigrate.local.", ttl: 2, ip: "10.0.3.4" }]);
  });

  it("dig gets NXDOMAIN for an unknown name and REFUSED for another zone", async () => {
    const nx = await dig("nobody.svc.fleximigrate.local");
    expect(nx.status).toBe("NXDOMAIN");
    expect(nx.flags).toContain("aa");
    expect(nx.answers).toEqual([]);
    const other = await dig("example.com");
    expect(other.status).toBe("REFUSED");
    expect(other.flags).not.toContain("aa");
  });

  it("node's resolver sees A records with TTLs, ENOTFOUND for unknown names and REFUSED outside the zone", async () => {
    const r = resolver();
    expect(await r.resolve4("web.svc.fleximigrate.local", { ttl: true })).toEqual([{ address: "10.0.0.5", ttl: 5 }]);
    await expect(r.resolve4("nobody.svc.fleximigrate.local")).rejects.toMatchObject({ code: "ENOTFOUND" });
    await expect(r.resolve4("example.com")).rejects.toMatchObject({ code: "EREFUSED" });
  });

  it("a changed or removed record is visible to the very next query", async () => {
    records.set("web", "10.0.1.9");
    expect((await dig("web.svc.fleximigrate.local")).answers.map((a) => a.ip)).toEqual(["10.0.1.9"]);
    expect(await resolver().resolve4("web.svc.fleximigrate.local")).toEqual(["10.0.1.9"]);
    records.set("new", "10.0.2.2");
    expect((await dig("new.svc.fleximigrate.local")).answers.map((a) => a.ip)).toEqual(["10.0.2.2"]);
    records.delete("web");
    expect((await dig("web.svc.fleximigrate.local")).status).toBe("NXDOMAIN");
    await expect(resolver().resolve4("web.svc.fleximigrate.local")).rejects.toMatchObject({ code: "ENOTFOUND" });
  });
});
