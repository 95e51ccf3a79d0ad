import { describe, expect, it } from "vitest";
import { AddressPlan, macOf } from "../../../../scheduler/service/address-plan.js";

describe("AddressPlan", () => {
  it("hands out hosts after the gateway, never network or broadcast, with a MAC derived from the IP", () => {
    const plan = new AddressPlan("10.77.0.0/29");
    expect(plan.gateway).toBe("10.77.0.1");
    const got = [1, 2, 3, 4, 5].map(() => plan.allocate()?.ip);
    expect(got).toEqual(["10.77.0.2", "10.77.0.3", "10.77.0.4", "10.77.0.5", "10.77.0.6"]);
    expect(plan.allocate()).toBeUndefined();
    expect(plan.free("10.77.0.4")).toBe(true);
    expect(plan.allocate()).toEqual({ ip: "10.77.0.4", prefixLen: 29, mac: "02:00:0a:4d:00:04", gateway: "10.77.0.1" });
  });

  it("defaults to 10.77.0.0/16 and refuses bad blocks", () => {
    expect(new AddressPlan().allocate()).toMatchObject({ ip: "10.77.0.2", prefixLen: 16 });
    expect(() => new AddressPlan("10.77.0.1/16")).toThrow(/host bits set/);
    expect(() => new AddressPlan("banana")).toThrow(/not an IPv4 CIDR/);
    expect(() => new AddressPlan("10.0.0.0/31")).toThrow(/too small/);
  });

  it("macOf is locally administered and unicast", () => {
    expect(macOf("192.168.1.255")).toBe("02:00:c0:a8:01:ff");
  });
});
