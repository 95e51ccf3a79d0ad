// The controller's client commands (flows, topology, dns) against a fake
// controller on port 0 (node:http answering canned API JSON in the shapes of
// controller/api/{switches,topology,hosts,dns}.ts), and against nothing at all.
import { createServer, type Server } from "node:http";
import { isIPv4 } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { command as dnsCommand, renderDns } from "../../../../controller/cli/dns.js";
import { command as flowsCommand, formatMatch, renderFlows } from "../../../../controller/cli/flows.js";
import { command as topologyCommand, renderTopology } from "../../../../controller/cli/topology.js";
import { CliError } from "../../../../src/cli/command.js";
import { captureStdout } from "../../../helpers/stdout.js";

const NOW = Date.parse("2026-01-01T00:01:00Z");

const FLOWS_1 = {
  dpid: "0000000000000001",
  flows: [
    {
      tableId: 0,
      priority: 0,
      cookie: "0xf1e0000000000000",
      owner: "table-miss",
      idleTimeout: 0,
      hardTimeout: 0,
      durationSec: 60,
      packetCount: 4,
      byteCount: 280,
      match: {},
      instructions: [{ type: "applyActions", actions: [{ type: "output", port: 0xfffffffd, maxLen: 65535 }] }],
    },
    {
      tableId: 0,
      priority: 224,
      cookie: "0xf1e4000000000000",
      owner: "overlay",
      packetCount: 12,
      byteCount: 1176,
      match: { ethType: 2048, ipv4Dst: "10.77.1.0", ipv4DstMask: "255.255.255.0" },
      instructions: [{ type: "applyActions", actions: [{ type: "output", port: 7 }] }],
    },
  ],
};
const FLOWS_2 = { dpid: "0000000000000002", flows: [{ tableId: 0, priority: 10, cookie: "0x0", owner: "other", packetCount: 0, byteCount: 0, match: { inPort: 1 }, instructions: [] }] };

const ROUTES: Record<string, unknown> = {
  "/v1/switches": { switches: [{ dpid: "0000000000000001", address: "127.0.0.1:40000", tables: 254, ports: 3 }, { dpid: "0000000000000002", address: "127.0.0.1:40002", tables: 254, ports: 2 }] },
  "/v1/switches/0000000000000001/flows": FLOWS_1,
  "/v1/switches/0000000000000002/flows": FLOWS_2,
  "/v1/topology": {
    switches: ["0000000000000001", "0000000000000002"],
    settled: true,
    links: [{ src: { dpid: "0000000000000001", port: 2 }, dst: { dpid: "0000000000000002", port: 1 } }],
    hosts: 1,
  },
  "/v1/hosts": { hosts: [{ mac: "00:00:00:00:00:01", ip: "10.0.0.1", dpid: "0000000000000001", port: 1, lastSeen: new Date(NOW - 5000).toISOString() }] },
  "/v1/dns": { zone: "svc.fleximigrate.local", defaultTtl: 5, records: [{ name: "web.svc.fleximigrate.local", ip: "10.0.0.5", ttl: 5, updatedAt: "2026-01-01T00:00:30Z" }] },
};

let server: Server | undefined;
const requests: Array<{ method: string; url: string; body: string }> = [];

async function fakeController(): Promise<string> {
  requests.length = 0;
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      requests.push({ method: req.method!, url: req.url!, body });
      const url = req.url!;
      if (req.method === "PUT" && url.startsWith("/v1/dns/records/")) {
        const ip = JSON.parse(body).ip as string;
        if (!isIPv4(ip)) return send(res, 400, { statusCode: 400, error: "Bad Request", message: `'${ip}' is not an IPv4 address` });
        return send(res, 201, { name: "cam.svc.fleximigrate.local", ip, ttl: 5, updatedAt: "2026-01-01T00:00:00Z" });
      }
      if (req.method === "DELETE" && url === "/v1/dns/records/cam") return send(res, 200, { name: "cam.svc.fleximigrate.local", ip: "10.0.0.8", ttl: 5, updatedAt: "x" });
      if (url in ROUTES) return send(res, 200, ROUTES[url]);
      send(res, 404, { statusCode: 404, error: "Not Found", message: `unknown switch` });
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

function send(res: import("node:http").ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

describe("rendering", () => {
  it("formats matches with masks, reserved ports and ethertypes", () => {
    expect(formatMatch({ ethType: 2048, ipv4Dst: "10.0.0.0", ipv4DstMask: "255.0.0.0", inPort: 0xfffffffe })).toBe("ethType=0x0800,ipv4Dst=10.0.0.0/255.0.0.0,inPort=LOCAL");
    expect(formatMatch({})).toBe("*");
  });

  it("renders flows sorted by priority with actions and counters", () => {
    const text = renderFlows([FLOWS_1].map((f) => ({ dpid: f.dpid, flows: f })));
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^SWITCH\s+TABLE\s+PRIORITY\s+OWNER\s+MATCH\s+ACTIONS\s+PACKETS\s+BYTES\s+COOKIE$/);
    expect(lines[1]).toMatch(/^0000000000000001\s+0\s+224\s+overlay\s+ethType=0x0800,ipv4Dst=10\.77\.1\.0\/255\.255\.255\.0\s+output:7\s+12\s+1176\s+0xf1e4000000000000$/);
    expect(lines[2]).toMatch(/^0000000000000001\s+0\s+0\s+table-miss\s+\*\s+output:CONTROLLER\s+4\s+280\s+0xf1e0000000000000$/);
    expect(renderFlows([])).toBe("(no switches connected)\n");
    expect(renderFlows([{ dpid: "1", flows: { flows: [] } }])).toBe("(no flows)\n");
  });

  it("renders topology and DNS tables", () => {
    const topo = renderTopology(ROUTES["/v1/topology"], ROUTES["/v1/switches"], ROUTES["/v1/hosts"], NOW);
    expect(topo).toMatch(/Switches \(2\)\nDPID\s+PORTS\s+TABLES\s+ADDRESS\n0000000000000001\s+3\s+254\s+127\.0\.0\.1:40000\n0000000000000002\s+2\s+254\s+127\.0\.0\.1:40002\n/);
    expect(topo).toMatch(/Links \(1\)\nFROM\s+TO\n0000000000000001:2\s+0000000000000002:1\n/);
    expect(topo).toMatch(/00:00:00:00:00:01\s+10\.0\.0\.1\s+0000000000000001\s+1\s+5s ago/);
    expect(renderTopology({ switches: [], links: [] }, { switches: [] }, { hosts: [] })).toContain("(no hosts learned)");
    expect(renderTopology({ switches: ["01"], settled: false, links: [] }, { switches: [] }, { hosts: [] })).toMatch(/Switches \(1\), link discovery still settling\nDPID/);
    expect(renderDns(ROUTES["/v1/dns"], NOW)).toMatch(/^zone svc\.fleximigrate\.local \(default TTL 5s\)\nNAME\s+IP\s+TTL\s+UPDATED\nweb\.svc\.fleximigrate\.local\s+10\.0\.0\.5\s+5\s+30s ago\n$/);
    expect(renderDns({ zone: "z", defaultTtl: 5, records: [] })).toContain("(no records)");
  });
});

describe("client commands against a fake controller", () => {
  it("flows: every switch as a table, one switch with --switch, the API's JSON with --json", async () => {
    const base = await fakeController();
    const all = await captureStdout(() => flowsCommand.run(["--controller", base]));
    expect(all.code).toBe(0);
    expect(all.out.split("\n").filter((l) => /^000000000000000[12]\s/.test(l))).toHaveLength(3);
    const one = await captureStdout(() => flowsCommand.run(["--controller", base, "--switch", "0000000000000002", "--json"]));
    expect(JSON.parse(one.out)).toEqual(FLOWS_2);
    const allJson = await captureStdout(() => flowsCommand.run(["--controller", `${base}/`, "--json"]));
    expect(JSON.parse(allJson.out)).toEqual([
      { dpid: "0000000000000001", flows: FLOWS_1 },
      { dpid: "0000000000000002", flows: FLOWS_2 },
    ]);
    await expect(flowsCommand.run(["--controller", base, "--switch", "99"])).rejects.toThrow(/answered 404: unknown switch/);
  });

  it("topology and dns print tables, and --json the API's JSON", async () => {
    const base = await fakeController();
    const topo = await captureStdout(() => topologyCommand.run(["--controller", base]));
    expect(topo.out).toContain("Links (1)");
    const topoJson = await captureStdout(() => topologyCommand.run(["--controller", base, "--json"]));
    expect(JSON.parse(topoJson.out)).toEqual({ topology: ROUTES["/v1/topology"], switches: ROUTES["/v1/switches"], hosts: ROUTES["/v1/hosts"] });
    const dns = await captureStdout(() => dnsCommand.run(["--controller", base]));
    expect(dns.out).toMatch(/web\.svc\.fleximigrate\.local\s+10\.0\.0\.5\s+5/);
    const dnsJson = await captureStdout(() => dnsCommand.run(["--json", "--controller", base]));
    expect(JSON.parse(dnsJson.out)).toEqual(ROUTES["/v1/dns"]);
  });

  it("dns set / delete call the API and report its 400 message", async () => {
    const base = await fakeController();
    const set = await captureStdout(() => dnsCommand.run(["set", "cam", "10.0.0.8", "--ttl", "5", "--controller", base]));
    expect(set.out).toBe("cam.svc.fleximigrate.local -> 10.0.0.8 (TTL 5s)\n");
    expect(requests.at(-1)).toEqual({ method: "PUT", url: "/v1/dns/records/cam", body: JSON.stringify({ ip: "10.0.0.8", ttl: 5 }) });
    await expect(dnsCommand.run(["set", "cam", "10.0.0.800", "--controller", base])).rejects.toThrow(/answered 400: '10\.0\.0\.800' is not an IPv4 address/);
    const del = await captureStdout(() => dnsCommand.run(["delete", "cam", "--controller", base]));
    expect(del.out).toBe("deleted cam.svc.fleximigrate.local (was 10.0.0.8)\n");
  });

  it("rejects bad input with a CliError before any request", async () => {
    await expect(dnsCommand.run(["set", "cam"])).rejects.toThrow(/needs NAME and IP/);
    await expect(dnsCommand.run(["frobnicate"])).rejects.toThrow(/unknown action/);
    await expect(dnsCommand.run(["set", "cam", "10.0.0.1", "--ttl", "-1"])).rejects.toThrow(/--ttl/);
    await expect(flowsCommand.run(["--controller", "ftp://x"])).rejects.toThrow(/must be an http/);
    await expect(topologyCommand.run(["--bogus"])).rejects.toBeInstanceOf(CliError);
    const help = await captureStdout(() => flowsCommand.run(["--help"]));
    expect(help.code).toBe(0);
    expect(help.out).toContain("--switch DPID");
  });

  it("says the controller is not running when nothing listens", async () => {
    const base = await fakeController();
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    for (const cmd of [flowsCommand, topologyCommand, dnsCommand]) {
      const err = await cmd.run(["--controller", base]).catch((e: unknown) => e);
      expect(err, cmd.name).toBeInstanceOf(CliError);
      expect((err as CliError).message).toMatch(/cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\); is the service running\?/);
      expect((err as CliError).exitCode).toBe(1);
    }
  });
});
