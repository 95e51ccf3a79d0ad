import { describe, expect, it } from "vitest";
import { ipv4ToInt, networkProblem } from "../../../../edge-agent/runtime/netns-input.js";

const ok = { ip: "10.77.9.10", prefixLen: 24, mac: "02:00:0a:4d:09:0a" };

describe("workload network input", () => {
  it("accepts a unicast host address, a unicast MAC and a gateway in the subnet", () => {
    expect(networkProblem(ok)).toBeNull();
    expect(networkProblem({ ...ok, gateway: "10.77.9.1" })).toBeNull();
    expect(networkProblem({ ...ok, prefixLen: 32 })).toBeNull();
  });

  it("names the field and the reason of each refusal", () => {
    expect(networkProblem({ ...ok, ip: "10.77.9.300" })).toMatch(/^network\/ip: .*not an IPv4/);
    expect(networkProblem({ ...ok, ip: "224.0.0.5" })).toMatch(/^network\/ip: .*unicast/);
    expect(networkProblem({ ...ok, ip: "10.77.9.0" })).toMatch(/^network\/ip: .*network or broadcast/);
    expect(networkProblem({ ...ok, ip: "10.77.9.255" })).toMatch(/broadcast/);
    expect(networkProblem({ ...ok, prefixLen: 0 })).toMatch(/^network\/prefixLen/);
    expect(networkProblem({ ...ok, prefixLen: 33 })).toMatch(/^network\/prefixLen/);
    expect(networkProblem({ ...ok, mac: "01:00:5e:00:00:01" })).toMatch(/^network\/mac: .*multicast/);
    expect(networkProblem({ ...ok, mac: "00:00:00:00:00:00" })).toMatch(/^network\/mac/);
    expect(networkProblem({ ...ok, mac: "02:00:0a:4d:09" })).toMatch(/^network\/mac/);
    expect(networkProblem({ ...ok, gateway: "10.77.8.1" })).toMatch(/^network\/gateway: .*outside/);
    expect(networkProblem({ ...ok, gateway: ok.ip })).toMatch(/^network\/gateway: .*own address/);
  });

  it("reads dotted addresses as numbers", () => {
    expect(ipv4ToInt("10.0.0.1")).toBe(0x0a000001);
    expect(ipv4ToInt("255.255.255.255")).toBe(0xffffffff);
    expect(ipv4ToInt("1.2.3")).toBeUndefined();
  });
});
