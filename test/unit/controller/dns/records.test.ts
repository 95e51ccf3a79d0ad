import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_TTL_S, DEFAULT_ZONE, DnsRecords, labelError, normalizeZone, qualifyName, validateIpv4 } from "../../../../controller/dns/records.js";

const zone = DEFAULT_ZONE;

describe("qualifyName", () => {
  it("qualifies relative names and keeps fully qualified ones in the zone", () => {
    expect(qualifyName("web", zone)).toEqual({ ok: true, fqdn: "web.svc.fleximigrate.local" });
    expect(qualifyName("Web.SVC.fleximigrate.local.", zone)).toEqual({ ok: true, fqdn: "web.svc.fleximigrate.local" });
    expect(qualifyName("a.b", zone)).toEqual({ ok: true, fqdn: "a.b.svc.fleximigrate.local" });
  });

  it("refuses the apex, other zones, and bad labels", () => {
    expect(qualifyName("svc.fleximigrate.local", zone).ok).toBe(false);
    expect(qualifyName("web.example.com.", zone)).toMatchObject({ ok: false, error: expect.stringMatching(/outside the zone/) });
    for (const bad of ["", "-web", "web-", "we_b", "a..b", "x".repeat(64), "web!", "ünï"]) {
      expect(qualifyName(bad, zone).ok, bad).toBe(false);
    }
  });

  it("never trims: a name with spaces around it is a bad name, not another spelling of one (' web' overwrote 'web')", () => {
    for (const spaced of [" web", "web ", "\tweb", "web\n", " web.svc.fleximigrate.local"]) {
      expect(qualifyName(spaced, zone), JSON.stringify(spaced)).toMatchObject({ ok: false, error: expect.stringMatching(/invalid name/) });
    }
  });

  it("never yields a name outside the zone (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (name) => {
        const q = qualifyName(name, zone);
        if (q.ok) {
          expect(q.fqdn.endsWith(`.${zone}`)).toBe(true);
          expect(q.fqdn.length).toBeLessThanOrEqual(253);
          for (const l of q.fqdn.split(".")) expect(labelError(l)).toBeNull();
        }
      }),
    );
  });
});

describe("zone and address checks", () => {
  it("normalizes a zone and rejects a bad one", () => {
    expect(normalizeZone("Svc.Example.ORG.")).toBe("svc.example.org");
    expect(() => normalizeZone("bad..zone")).toThrow(/invalid DNS zone/);
  });

  it("accepts only dotted-quad IPv4", () => {
    expect(validateIpv4("10.0.0.5")).toBeNull();
    for (const bad of ["10.0.0.256", "10.0.0", "::1", "", "abc", 5]) expect(validateIpv4(bad), String(bad)).not.toBeNull();
  });
});

describe("DnsRecords", () => {
  const clock = () => new Date("2026-01-02T03:04:05.000Z");

  it("sets, replaces, gets and deletes records by relative or full name", () => {
    const t = new DnsRecords({ now: clock });
    expect(t.set("web", "10.0.0.5")).toEqual({ name: "web.svc.fleximigrate.local", ip: "10.0.0.5", ttl: DEFAULT_TTL_S, updatedAt: "2026-01-02T03:04:05.000Z" });
    t.set("web.svc.fleximigrate.local", "10.0.1.7", 30);
    expect(t.size).toBe(1);
    expect(t.get("WEB")).toMatchObject({ ip: "10.0.1.7", ttl: 30 });
    expect(t.delete("web")?.ip).toBe("10.0.1.7");
    expect(t.get("web")).toBeUndefined();
    expect(t.delete("web")).toBeUndefined();
  });

  it("rejects bad input without changing the table", () => {
    const t = new DnsRecords();
    t.set("db", "10.0.0.9");
    expect(() => t.set("db", "10.0.0.300")).toThrow(/not an IPv4/);
    expect(() => t.set("bad_name", "10.0.0.1")).toThrow(/invalid name/);
    expect(() => t.set("db", "10.0.0.1", -1)).toThrow(/ttl/);
    expect(t.list()).toEqual([expect.objectContaining({ name: "db.svc.fleximigrate.local", ip: "10.0.0.9" })]);
  });

  it("lists sorted by name, copies out, and knows empty non-terminals", () => {
    const t = new DnsRecords({ zone: "z.test", ttl: 9 });
    t.set("b", "10.0.0.2");
    t.set("x.a", "10.0.0.1");
    const list = t.list();
    expect(list.map((r) => r.name)).toEqual(["b.z.test", "x.a.z.test"]);
    list[0]!.ip = "1.1.1.1";
    expect(t.get("b")?.ip).toBe("10.0.0.2");
    expect(t.get("b")?.ttl).toBe(9);
    expect(t.hasDescendant("a.z.test")).toBe(true);
    expect(t.hasDescendant("b.z.test")).toBe(false);
  });
});
