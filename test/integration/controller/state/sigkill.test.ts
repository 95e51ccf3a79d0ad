// Nothing acknowledged is lost when the controller is killed with SIGKILL, on
// real processes and real Open vSwitch: the controller runs from the CLI on
// fixed ports with a --state-dir, bridge fmdur-br0 (user-space datapath, two
// host ports) connects to it, and a seeded random load of DNS record, named
// node, redirect, rollback and tunnel changes runs through the HTTP API. At a
// random point of the load the controller is killed mid-request, restarted on
// the same state directory, and then: every acknowledged change is there,
// nothing is duplicated, the change that was in flight happened wholly or not
// at all, and the bridge, reconnecting by itself, holds exactly the flows in
// force (active redirects' and tunnels', by cookie; none of a redirect no
// longer active). The figures are printed. Run twice: on the embedded store
// (--state-dir) and on a real etcd (--store etcd://...).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { seededRng } from "../../../../src/random.js";
import { CLI_PATH } from "../../../helpers/cli.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";
import { startEtcd, type TestEtcd } from "../../../helpers/etcd.js";
import { type Json, type Method, requestJson } from "../../../helpers/http.js";
import { spawnChild, type TrackedChild } from "../../../helpers/processes.js";
import { addControlledBridge, sh, shOk } from "../../../helpers/shell.js";
import { waitFor } from "../../../helpers/wait.js";
import { type Api, compare, emptyModel, type Model, nextChange, type Seen, SERVICES } from "./controller-load.js";

const SEED = Number(process.env.FM_SIGKILL_SEED ?? 1414);
const RESTARTS = 8;

sigkillSuite("embedded", "fmdur-br0", { openflow: 24653, http: 24181, dns: 24353 }, missing([needs.root(), needs.ovs()]));
sigkillSuite("etcd", "fmdur-br1", { openflow: 24654, http: 24182, dns: 24354 }, missing([needs.root(), needs.ovs(), needs.etcd()]));

function sigkillSuite(store: "embedded" | "etcd", BRIDGE: string, PORTS: { openflow: number; http: number; dns: number }, unavailable: string | null): void {
const api: Api = (method: Method, p: string, body?: unknown) => requestJson(method, `http://127.0.0.1:${PORTS.http}${p}`, body, 15_000);
const portName = (n: number) => `${BRIDGE.replace("-br", "-")}p${n}`;

describeWhen(`the controller under SIGKILL, ${store} store: nothing acknowledged lost`, unavailable, () => {
  let stateDir = "";
  let ctl: TrackedChild | undefined;
  let etcd: TestEtcd | undefined;
  let dpid = "";

  async function startController(): Promise<void> {
    const where = etcd ? ["--store", etcd.url] : ["--state-dir", stateDir];
    const args = ["controller", "--openflow-port", String(PORTS.openflow), "--http-port", String(PORTS.http), "--dns-port", String(PORTS.dns), "--lldp-interval", "500", ...where, "--insecure"];
    ctl = spawnChild(process.execPath, [CLI_PATH, ...args]);
    await ctl.line((l) => l.startsWith("{"), 20_000);
    // On etcd the controller leads once the killed one's lease ran out (--lease-ttl): only then does it take writes.
    if (etcd) await waitFor(async () => (await api("GET", "/v1/role")).body.election?.leading === true, { what: "the controller to lead", timeoutMs: 20_000 });
  }

  async function kill(): Promise<void> {
    const child = ctl as TrackedChild;
    process.kill(child.pid, "SIGKILL");
    await child.exited;
  }

  const bridgeConnected = async () => (await api("GET", "/v1/switches")).body.switches.some((s: Json) => s.dpid === dpid);

  async function seen(): Promise<Seen> {
    const dns = (await api("GET", "/v1/dns")).body.records as Json[];
    const short = (name: string) => name.split(".")[0] as string;
    const redirects = (await api("GET", "/v1/redirects")).body.redirects as Json[];
    const tunnels = (await api("GET", "/v1/overlay")).body.tunnels as Json[];
    return {
      dns: new Map(dns.filter((r) => /^d\d\./.test(r.name)).map((r) => [short(r.name), r.ip])),
      serviceDns: new Map(dns.filter((r) => SERVICES.includes(short(r.name))).map((r) => [short(r.name), r.ip])),
      nodes: new Map(((await api("GET", "/v1/nodes")).body.nodes as Json[]).map((n) => [n.name, { switch: n.switch, port: n.port }])),
      redirects: new Map(redirects.map((r) => [r.id, r])),
      tunnels: new Map(tunnels.map((t) => [t.name, t.cookie])),
    };
  }

  /** Flows per cookie on the bridge (ovs-ofctl prints cookies in hex without leading zeros, as the API does). */
  async function flowsByCookie(): Promise<Map<string, number>> {
    const dump = await sh("ovs-ofctl", "-O", "OpenFlow13", "--no-stats", "dump-flows", BRIDGE);
    const out = new Map<string, number>();
    for (const m of dump.matchAll(/cookie=(0x[0-9a-f]+)/g)) out.set(m[1] as string, (out.get(m[1] as string) ?? 0) + 1);
    return out;
  }

  /** What the bridge must hold: 2 flows per active redirect and per tunnel (one prefix each), none of any other redirect. */
  function flowProblems(m: Model, flows: Map<string, number>): string[] {
    const out: string[] = [];
    const activeIds = new Set(m.active.values());
    for (const [id, r] of m.redirects) {
      const want = activeIds.has(id) ? 2 : 0;
      if ((flows.get(r.cookie) ?? 0) !== want) out.push(`redirect ${id} (${r.service}, ${r.cookie}): ${flows.get(r.cookie) ?? 0} flows, want ${want}`);
    }
    for (const [name, cookie] of m.tunnels) if ((flows.get(cookie) ?? 0) !== 2) out.push(`tunnel ${name} (${cookie}): ${flows.get(cookie) ?? 0} flows, want 2`);
    return out;
  }

  beforeAll(async () => {
    stateDir = mkdtempSync(path.join(tmpdir(), "fmdur-ctl-kill-"));
    await shOk("ovs-vsctl", "--if-exists", "del-br", BRIDGE); // leftovers of a crashed run
    if (store === "etcd") etcd = await startEtcd("fmdur-etcd");
    await startController();
    const port = (name: string, n: number) => ["--", "add-port", BRIDGE, name, "--", "set", "Interface", name, "type=internal", `ofport_request=${n}`];
    await addControlledBridge(BRIDGE, PORTS.openflow, [...port(portName(1), 1), ...port(portName(2), 2)]);
    // Reconnect within a second of each restart (OVS backs off up to 8 s by default).
    const controllers = (await sh("ovs-vsctl", "get", "Bridge", BRIDGE, "controller")).replace(/[[\],\s]/g, "");
    await sh("ovs-vsctl", "set", "Controller", controllers, "max_backoff=1000");
    dpid = await waitFor(async () => (await sh("ovs-vsctl", "get", "Bridge", BRIDGE, "datapath_id")).trim().replace(/"/g, "") || null, { what: "the bridge's datapath id" });
    await waitFor(async () => (await bridgeConnected()) && (await api("GET", `/v1/switches/${dpid}/ports`)).body.ports.length >= 2, { what: "the bridge with its ports" });
  }, 60_000);

  afterAll(async () => {
    await ctl?.stop();
    await etcd?.stop();
    await shOk("ovs-vsctl", "--if-exists", "del-br", BRIDGE);
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  }, 30_000);

  it(`keeps every acknowledged DNS record, node, redirect and tunnel across ${RESTARTS} SIGKILLs, and the bridge gets the flows in force`, async () => {
    const rng = seededRng(SEED);
    const model = emptyModel();
    let acked = 0;
    let inFlightKilled = 0;
    let serial = 0;
    const lost: string[] = [];
    for (let restart = 1; restart <= RESTARTS; restart++) {
      const ops = 10 + Math.floor(rng() * 20);
      const killAt = Math.floor(rng() * ops);
      let uncertain: ReturnType<typeof nextChange> | undefined;
      for (let i = 0; i <= killAt; i++) {
        const change = nextChange(rng, model, dpid, serial++, BRIDGE);
        const answer = api(change.method, change.path, change.body).then(
          (a) => a,
          () => undefined,
        );
        if (i === killAt) {
          // Killed mid-request, at a seeded delay into it.
          await sleep(Math.floor(rng() * 10));
          await kill();
        }
        const a = await answer;
        if (a && a.status >= 200 && a.status < 300) {
          change.acked(model, a.body);
          acked++;
        } else if (a) {
          throw new Error(`${change.what} answered ${a.status}: ${JSON.stringify(a.body)}`);
        } else {
          uncertain = change;
        }
      }

      await startController();
      const now = await seen();
      if (uncertain) {
        inFlightKilled++;
        const bad = uncertain.settle(model, now);
        if (bad) lost.push(`restart ${restart}, ${uncertain.what}: ${bad}`);
      }
      for (const d of compare(model, now)) lost.push(`restart ${restart}: ${d}`);
      // The bridge comes back by itself and gets what is in force, nothing else.
      await waitFor(bridgeConnected, { what: `the bridge reconnected after restart ${restart}`, timeoutMs: 20_000 });
      let problems: string[] = [];
      await waitFor(
        async () => {
          problems = flowProblems(model, await flowsByCookie());
          return problems.length === 0;
        },
        { what: `the flows in force after restart ${restart}`, timeoutMs: 15_000 },
      ).catch(() => {});
      for (const p of problems) lost.push(`restart ${restart}, flows: ${p}`);
    }

    const checked = acked;
    console.log(
      `controller SIGKILL (${store} store, seed ${SEED}): restarts survived ${RESTARTS}, acknowledged operations checked ${checked} ` +
        `(${model.dns.size} DNS records, ${model.nodes.size} nodes, ${model.redirects.size} redirect records, ${model.tunnels.size} tunnels at the end), ` +
        `killed mid-request ${inFlightKilled}, lost ${lost.length}`,
    );
    expect(lost).toEqual([]);
    expect(checked).toBeGreaterThan(RESTARTS * 4);
    expect(model.redirects.size).toBeGreaterThan(0);
    expect(model.tunnels.size).toBeGreaterThan(0);
  }, 240_000);
});
}
