// Two controllers, one leader: real Open vSwitch, a real three-member etcd and
// two real controller processes (`controller --store etcd://...`). Bridge
// fmhc-br0 (user-space datapath) has both as controller targets; device
// namespace fmhc-dev sends HTTP requests (fresh connections, every 100 ms) and
// pings (every 200 ms) to a redirected service in fmhc-svc. The leader is
// OpenFlow MASTER, the other SLAVE. The master is SIGKILLed: the slave takes
// over (MASTER with a larger generation id, the redirect's flows re-asserted
// from etcd) and the requests and pings go on; the longest interval without an
// answer and `ovs-vsctl list controller` before and after are printed. Then:
// a standby's write answers 503 with the leader's URL; a bridge connecting
// after the takeover gets MASTER from the new leader; the killed controller
// restarted comes back as SLAVE; one etcd member of three killed, the leader
// goes on leading and writing; two killed, writes answer 503 while the
// switches keep forwarding, and a leader writes again once they are back.
import { mkdtempSync, rmSync } from "node:fs";
import { Resolver } from "node:dns/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Etcd3 } from "etcd3";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CLI_PATH } from "../../../helpers/cli.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";
import { startEtcdCluster, type TestEtcdCluster } from "../../../helpers/etcd.js";
import { type Json, requestJson } from "../../../helpers/http.js";
import { freePort } from "../../../helpers/ports.js";
import { spawnChild, type TrackedChild } from "../../../helpers/processes.js";
import { addControlledBridge, sh, shOk } from "../../../helpers/shell.js";
import { waitFor } from "../../../helpers/wait.js";

const BR = ["fmhc-br0", "fmhc-br1"] as const;
const DEV = { ns: "fmhc-dev", veth: "fmhc-dev0", ip: "10.77.61.2", port: 1 };
const SVC = { ns: "fmhc-svc", veth: "fmhc-svc0", ip: "10.77.61.100", mac: "02:00:00:77:61:64", port: 2 };
const LOAD_S = 24;

interface Ctl {
  name: string;
  ports: { openflow: number; http: number; dns: number };
  url: string;
  stateDir: string;
  child?: TrackedChild;
}

const quiet = (cmd: string, ...args: string[]) => shOk(cmd, ...args);

async function teardownNet(): Promise<void> {
  for (const ns of [DEV.ns, SVC.ns]) await quiet("ip", "netns", "del", ns);
  for (const b of BR) await quiet("ovs-vsctl", "--if-exists", "del-br", b);
}

async function hostNs(h: typeof DEV | typeof SVC, mac?: string): Promise<void> {
  await sh("ip", "netns", "add", h.ns);
  await sh("ip", "link", "add", h.veth, "type", "veth", "peer", "name", "eth0", "netns", h.ns);
  if (mac) await sh("ip", "-n", h.ns, "link", "set", "eth0", "address", mac);
  await sh("ip", "-n", h.ns, "addr", "add", `${h.ip}/24`, "dev", "eth0");
  // The user-space datapath leaves offloaded checksums empty: the hosts compute their own.
  await sh("nsenter", `--net=/run/netns/${h.ns}`, "ethtool", "-K", "eth0", "tx", "off");
  for (const dev of ["eth0", "lo"]) await sh("ip", "-n", h.ns, "link", "set", dev, "up");
  await sh("ip", "link", "set", h.veth, "up");
}

/** Each controller target of `bridge` with the role OVS holds it in. */
async function controllerRoles(bridge: string): Promise<Array<{ target: string; role: string; connected: boolean }>> {
  const ids = (await sh("ovs-vsctl", "get", "Bridge", bridge, "controller")).replace(/[[\]\s]/g, "").split(",").filter(Boolean);
  const out = await sh("ovs-vsctl", "--format=json", "--columns=target,role,is_connected", "list", "Controller", ...ids);
  const table = JSON.parse(out) as { data: Array<[string, string | [string, unknown[]], boolean]> };
  return table.data.map(([target, role, connected]) => ({ target, role: typeof role === "string" ? role : "(none)", connected })).sort((a, b) => a.target.localeCompare(b.target));
}

const rolesText = async (bridge: string) => (await controllerRoles(bridge)).map((c) => `${c.target} role=${c.role} connected=${c.connected}`).join("; ");

/** The longest interval between consecutive answer times, ms. */
function longestGap(times: number[]): number {
  const t = [...times].sort((a, b) => a - b);
  let gap = 0;
  for (let i = 1; i < t.length; i++) gap = Math.max(gap, (t[i] as number) - (t[i - 1] as number));
  return gap;
}

const LOAD_SCRIPT = `
const http = require("http");
const [ip, dur] = process.argv.slice(1);
const end = Date.now() + Number(dur) * 1000;
const iv = setInterval(() => {
  if (Date.now() > end) { clearInterval(iv); return; }
  const t = Date.now();
  const req = http.get({ host: ip, port: 8080, path: "/", timeout: 1000, agent: false }, (res) => {
    res.resume();
    res.on("end", () => console.log(JSON.stringify({ t, at: Date.now(), ok: res.statusCode === 200 })));
  });
  req.on("timeout", () => req.destroy(new Error("timeout")));
  req.on("error", () => console.log(JSON.stringify({ t, ok: false })));
}, 100);
`;

const SERVER_SCRIPT = `require("http").createServer((q, s) => s.end("ok")).listen(8080, process.argv[1], () => console.log("listening"));`;

describeWhen("controller leader and standby: SIGKILL of the master on real OVS and a 3-member etcd", missing([needs.root(), needs.ovs(), needs.etcd()]), () => {
  let etcd: TestEtcdCluster | undefined;
  let server: TrackedChild | undefined;
  const ctls: Ctl[] = [];
  const dpids: string[] = [];

  const api = (c: Ctl, method: "GET" | "POST" | "PUT" | "DELETE", p: string, body?: unknown) => requestJson(method, `${c.url}${p}`, body, 10_000);
  const election = async (c: Ctl): Promise<Json> => (await api(c, "GET", "/v1/role")).body;
  const leads = async (c: Ctl) => (await election(c).catch(() => undefined))?.election?.leading === true;

  async function startCtl(c: Ctl): Promise<void> {
    const args = ["controller", "--openflow-port", String(c.ports.openflow), "--http-port", String(c.ports.http), "--dns-port", String(c.ports.dns)];
    args.push("--lldp-interval", "500", "--store", (etcd as TestEtcdCluster).url, "--state-dir", c.stateDir, "--insecure");
    c.child = spawnChild(process.execPath, [CLI_PATH, ...args]);
    await c.child.line((l) => l.startsWith("{"), 20_000);
  }

  async function killCtl(c: Ctl): Promise<void> {
    const child = c.child as TrackedChild;
    process.kill(child.pid, "SIGKILL");
    await child.exited;
    c.child = undefined;
  }

  async function bridge(name: string): Promise<string> {
    await addControlledBridge(name, ctls[0]!.ports.openflow);
    await sh("ovs-vsctl", "set-controller", name, ...ctls.map((c) => `tcp:127.0.0.1:${c.ports.openflow}`));
    // Reconnect within a second of a restart (OVS backs off up to 8 s by default).
    for (const id of (await sh("ovs-vsctl", "get", "Bridge", name, "controller")).replace(/[[\]\s]/g, "").split(",")) await sh("ovs-vsctl", "set", "Controller", id, "max_backoff=1000");
    return waitFor(async () => (await sh("ovs-vsctl", "get", "Bridge", name, "datapath_id")).trim().replace(/"/g, "") || null, { what: `${name}'s datapath id` });
  }

  /** How controller `c` says switch `dpid` holds it. */
  const switchRole = async (c: Ctl, dpid: string) => ((await election(c)).switches as Json[]).find((s) => s.dpid === dpid);

  beforeAll(async () => {
    await teardownNet();
    etcd = await startEtcdCluster(3, "fmhc-etcd");
    for (const name of ["a", "b"]) {
      const ports = { openflow: await freePort(), http: await freePort(), dns: await freePort() };
      ctls.push({ name, ports, url: `http://127.0.0.1:${ports.http}`, stateDir: mkdtempSync(path.join(tmpdir(), `fmhc-ctl-${name}-`)) });
    }
    await startCtl(ctls[0]!);
    await waitFor(() => leads(ctls[0]!), { what: "controller a to lead", timeoutMs: 15_000 });
    await startCtl(ctls[1]!);
    dpids.push(await bridge(BR[0]));
    await hostNs(DEV);
    await hostNs(SVC, SVC.mac);
    await sh("ovs-vsctl", "add-port", BR[0], DEV.veth, "--", "set", "Interface", DEV.veth, `ofport_request=${DEV.port}`);
    await sh("ovs-vsctl", "add-port", BR[0], SVC.veth, "--", "set", "Interface", SVC.veth, `ofport_request=${SVC.port}`);
    server = spawnChild("nsenter", [`--net=/run/netns/${SVC.ns}`, process.execPath, "-e", SERVER_SCRIPT, SVC.ip]);
    await server.line((l) => l === "listening", 10_000);
  }, 90_000);

  afterAll(async () => {
    await server?.stop();
    for (const c of ctls) {
      await c.child?.stop();
      rmSync(c.stateDir, { recursive: true, force: true });
    }
    await etcd?.stop();
    await teardownNet();
  }, 60_000);

  it("the master SIGKILLed: the slave takes over as MASTER with a larger generation, redirects and forwarding go on", async () => {
    const [a, b] = ctls as [Ctl, Ctl];
    const dpid = dpids[0]!;
    // The leader is master of the bridge, the standby slave, at the leader's term.
    await waitFor(async () => (await switchRole(a, dpid))?.role === "master" && (await switchRole(b, dpid))?.role === "slave", { what: "a master and b slave of the bridge", timeoutMs: 20_000 });
    const termA = (await election(a)).election.term as number;
    expect((await election(b)).election).toMatchObject({ leading: false, leader: a.url });

    const redirect = await api(a, "POST", "/v1/redirect", { service: "fmhc-web", ip: SVC.ip, mac: SVC.mac, to: { switch: dpid, port: SVC.port } });
    expect(redirect.status, JSON.stringify(redirect.body)).toBe(200);
    const cookie: string = redirect.body.redirects[0].cookie;
    // The standby refuses writes, naming the leader.
    const refused = await fetch(`${b.url}/v1/dns/records/fmhc-x`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ ip: "10.77.61.9" }) });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBeTruthy();
    expect(await refused.json()).toMatchObject({ leader: a.url });

    const started = Date.now();
    const load = spawnChild("nsenter", [`--net=/run/netns/${DEV.ns}`, process.execPath, "-e", LOAD_SCRIPT, SVC.ip, String(LOAD_S)]);
    const ping = spawnChild("nsenter", [`--net=/run/netns/${DEV.ns}`, "ping", "-D", "-n", "-i", "0.2", "-W", "1", "-w", String(LOAD_S), SVC.ip]);
    await waitFor(() => load.stdout().includes('"ok":true') || null, { what: "the first answered request", timeoutMs: 10_000 });
    await sleep(4_000);
    const flowsBefore = (await sh("ovs-ofctl", "-O", "OpenFlow13", "--no-stats", "dump-flows", BR[0])).split("\n").filter((l) => l.includes(`cookie=${cookie},`)).length;
    // OVS writes a controller's role into its database a few seconds after the fact.
    const holds = async (bridgeName: string, want: Record<number, string>) => {
      const roles = await controllerRoles(bridgeName);
      return Object.entries(want).every(([port, role]) => roles.some((c) => c.target.endsWith(`:${port}`) && c.role === role));
    };
    await waitFor(() => holds(BR[0], { [a.ports.openflow]: "master", [b.ports.openflow]: "slave" }), { what: "OVS to record a master and b slave", timeoutMs: 15_000, intervalMs: 200 });
    const rolesBefore = await rolesText(BR[0]);

    // A marker flow of nobody's: it goes only when the new master does the set-up it owes (the wipe), before it re-asserts the redirect.
    await sh("ovs-ofctl", "-O", "OpenFlow13", "add-flow", BR[0], "cookie=0x5eed,priority=7,ip,nw_dst=10.77.62.9,actions=drop");
    const killedAt = Date.now();
    await killCtl(a);
    await waitFor(() => leads(b), { what: "b to lead", timeoutMs: 20_000, intervalMs: 50 });
    const takeoverMs = Date.now() - killedAt;
    await waitFor(async () => (await switchRole(b, dpid))?.role === "master", { what: "b master of the bridge", timeoutMs: 10_000 });
    const termB = (await election(b)).election.term as number;
    await waitFor(() => holds(BR[0], { [b.ports.openflow]: "master" }), { what: "OVS to record b master", timeoutMs: 15_000, intervalMs: 200 });
    const rolesAfter = await rolesText(BR[0]);
    // The table wiped and the redirect's flows re-asserted from etcd by the new master.
    await waitFor(async () => {
      const dump = await sh("ovs-ofctl", "-O", "OpenFlow13", "--no-stats", "dump-flows", BR[0]);
      return !dump.includes("cookie=0x5eed") && dump.split("\n").filter((l) => l.includes(`cookie=${cookie},`)).length === 2;
    }, {
      what: "the redirect's flows after the takeover",
      timeoutMs: 10_000,
    });

    await load.exited;
    await ping.exited;
    const answers = load
      .stdout()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { t: number; at?: number; ok: boolean });
    const answered = answers.filter((r) => r.ok).map((r) => r.at as number);
    const pings = [...ping.stdout().matchAll(/^\[(\d+\.\d+)\] \d+ bytes from .*icmp_seq=(\d+)/gm)].map((m) => Number(m[1]) * 1000);
    const afterTakeover = (times: number[]) => times.filter((t) => t > killedAt + takeoverMs).length;
    const httpGap = longestGap(answered);
    const pingGap = longestGap(pings);
    console.log(
      `controller HA: takeover ${takeoverMs} ms after SIGKILL (lease TTL 2 s), generation ${termA} -> ${termB}; ` +
        `HTTP requests ${answers.length}, answered ${answered.length}, longest gap ${httpGap} ms; pings answered ${pings.length}, longest gap ${pingGap} ms (goal < 3000 ms); ` +
        `redirect flows before ${flowsBefore}\n  ovs-vsctl list controller before: ${rolesBefore}\n  ovs-vsctl list controller after:  ${rolesAfter}\n  load ran ${Date.now() - started} ms`,
    );
    expect(termB).toBeGreaterThan(termA);
    expect(flowsBefore).toBe(2);
    expect(rolesBefore).toMatch(new RegExp(`:${a.ports.openflow} role=master`));
    expect(rolesBefore).toMatch(new RegExp(`:${b.ports.openflow} role=slave`));
    expect(rolesAfter).toMatch(new RegExp(`:${b.ports.openflow} role=master`));
    // Requests and pings were answered after the takeover too.
    expect(afterTakeover(answered)).toBeGreaterThan(10);
    expect(afterTakeover(pings)).toBeGreaterThan(5);
  }, 120_000);

  it("a bridge connecting after the takeover gets MASTER from the new leader; the killed controller comes back as SLAVE", async () => {
    const [a, b] = ctls as [Ctl, Ctl];
    dpids.push(await bridge(BR[1]));
    const dpid1 = dpids[1]!;
    await waitFor(async () => (await switchRole(b, dpid1))?.role === "master", { what: "b master of the new bridge", timeoutMs: 15_000 });
    await startCtl(a);
    for (const dpid of dpids) await waitFor(async () => (await switchRole(a, dpid))?.role === "slave", { what: `the restarted a slave of ${dpid}`, timeoutMs: 20_000 });
    for (const brName of BR) {
      await waitFor(
        async () => {
          const roles = await controllerRoles(brName);
          return roles.find((c) => c.target.endsWith(`:${a.ports.openflow}`))?.role === "slave" && roles.find((c) => c.target.endsWith(`:${b.ports.openflow}`))?.role === "master";
        },
        { what: `OVS to record a slave and b master on ${brName}`, timeoutMs: 15_000, intervalMs: 200 },
      ).catch(() => undefined); // the assertions below say what it holds
    }
    const view = await election(a);
    const lead = await election(b);
    console.log(`after restart: a ${JSON.stringify(view.election)} generation ${view.generationId}; b ${JSON.stringify(lead.election)}\n  ${BR[0]}: ${await rolesText(BR[0])}\n  ${BR[1]}: ${await rolesText(BR[1])}`);
    expect(view.election).toMatchObject({ leading: false, leader: b.url });
    expect(lead.election.leading).toBe(true);
    for (const brName of BR) {
      const roles = await controllerRoles(brName);
      expect(roles.find((c) => c.target.endsWith(`:${b.ports.openflow}`))?.role).toBe("master");
      expect(roles.find((c) => c.target.endsWith(`:${a.ports.openflow}`))?.role).toBe("slave");
    }
    // The standby serves the leader's DNS records from the store (refreshed once a second).
    expect((await api(b, "PUT", "/v1/dns/records/fmhc-new", { ip: "10.77.61.50" })).status).toBe(201);
    const resolver = new Resolver({ timeout: 1_000, tries: 1 });
    resolver.setServers([`127.0.0.1:${a.ports.dns}`]);
    await waitFor(async () => (await resolver.resolve4("fmhc-new.svc.fleximigrate.local").catch((): string[] => [])).includes("10.77.61.50"), { what: "the standby's DNS to answer the leader's record", timeoutMs: 10_000 });
  }, 90_000);

  it("one etcd member of three killed: the leader keeps leading and writing, forwarding goes on", async () => {
    const b = ctls[1]!;
    // The member etcd's own raft leader is: the hardest one to lose.
    const members = (etcd as TestEtcdCluster).members;
    let member = members[0]!;
    for (const m of members) {
      const probe = new Etcd3({ hosts: [m.client], dialTimeout: 2_000 });
      const status = await probe.maintenance.status().finally(() => probe.close());
      if (status.header.member_id === status.leader) member = m;
    }
    await member.kill();
    // Longer than two lease TTLs: a lost lease would have shown by now.
    await sleep(5_000);
    expect(await leads(b)).toBe(true);
    const put = await api(b, "PUT", "/v1/dns/records/fmhc-after", { ip: "10.77.61.51" });
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    const ping = await sh("nsenter", `--net=/run/netns/${DEV.ns}`, "ping", "-n", "-c", "3", "-i", "0.2", "-W", "1", SVC.ip);
    console.log(`etcd member ${member.name} (raft leader) killed: b still leads, a write answered ${put.status}; ${ping.split("\n").find((l) => l.includes("packets transmitted"))}`);
    expect(ping).toMatch(/3 received/);
    await member.start();
  }, 60_000);

  it("two etcd members of three killed: writes answer 503 (no hang, no 500), forwarding goes on; both back: a leader writes again, nothing lost", async () => {
    const members = (etcd as TestEtcdCluster).members;
    const leaderNow = async () => {
      for (const c of ctls) if (c.child && (await leads(c))) return c;
      return null;
    };
    const before = await waitFor(leaderNow, { timeoutMs: 20_000, what: "a controller to lead" });
    expect((await api(before, "PUT", "/v1/dns/records/fmhc-kept", { ip: "10.77.61.52" })).status).toBe(201);
    await members[0]!.kill();
    await members[1]!.kill();
    // Past the lease TTL: no quorum, no lease kept; every write is refused in bounded time.
    await sleep(4_000);
    const answers: string[] = [];
    for (const c of ctls) {
      if (!c.child) continue;
      const t0 = Date.now();
      const r = await api(c, "PUT", "/v1/dns/records/fmhc-noquorum", { ip: "10.77.61.53" });
      answers.push(`${c.name}: ${r.status} in ${Date.now() - t0} ms`);
      expect(r.status, JSON.stringify(r.body)).toBe(503);
      expect(Date.now() - t0).toBeLessThan(10_000);
    }
    const ping = await sh("nsenter", `--net=/run/netns/${DEV.ns}`, "ping", "-n", "-c", "3", "-i", "0.2", "-W", "1", SVC.ip);
    expect(ping).toMatch(/3 received/);
    await members[0]!.start();
    await members[1]!.start();
    const t0 = Date.now();
    const after = await waitFor(leaderNow, { timeoutMs: 40_000, what: "a controller to lead again" });
    const put = await waitFor(async () => {
      const r = await api(after, "PUT", "/v1/dns/records/fmhc-back", { ip: "10.77.61.54" });
      return r.status === 201 ? r : null;
    }, { timeoutMs: 20_000, what: "a write to succeed again" });
    const records = JSON.stringify((await api(after, "GET", "/v1/dns")).body);
    console.log(`etcd two of three down: writes ${answers.join(", ")}; ping ${ping.split("\n").find((l) => l.includes("packets transmitted"))}; members back: ${after.name} leads and writes (${put.status}) ${Date.now() - t0} ms later`);
    expect(records).toContain("fmhc-kept");
    expect(records).toContain("fmhc-back");
  }, 120_000);
});
