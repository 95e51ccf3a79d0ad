// OpenFlow over TLS with real Open vSwitch 3.1: the controller listens with
// --openflow-tls semantics (its certificate, switches' certificates from a CA),
// OVS connects through an ssl: target with `ovs-vsctl set-ssl`, and flows
// install over it. Plain TCP and TLS without a switch certificate get no
// session; a stranger with a certificate of the CA claiming OVS's datapath id
// is refused while OVS's session answers (the takeover of issue 13), and one
// whose certificate names that datapath id is let in.
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createController, type RunningController } from "../../../../controller/app.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";
import { FakeSwitch } from "../../../helpers/fake-switch.js";
import { TestCa } from "../../../helpers/test-ca.js";
import { waitFor } from "../../../helpers/wait.js";

const BRIDGE = "fmw-tls0";
const DPID = "00000000000f4a71";
const PORT = 46100;
const vsctl = (...args: string[]) => execFileSync("ovs-vsctl", ["--timeout=10", ...args], { encoding: "utf8" }).trim();
const of13 = (...args: string[]) => execFileSync("ovs-ofctl", ["-O", "OpenFlow13", ...args], { encoding: "utf8" });

describeWhen("OpenFlow over TLS with real Open vSwitch", missing([needs.root(), needs.ovs()]), () => {
  let ctl: RunningController;
  let ca: TestCa;
  let sslBefore = "";
  const events: string[] = [];
  const fakes: FakeSwitch[] = [];
  const ups = () => events.filter((e) => e === `switch.up:${DPID}`).length;
  /** OVS's own view of our bridge's controller connection (it refreshes it every few seconds). */
  const connected = () => vsctl("get", "Controller", vsctl("get", "Bridge", BRIDGE, "controller").replace(/[[\]]/g, ""), "is_connected") === "true";

  beforeAll(async () => {
    ca = new TestCa("fmw");
    const controller = ca.issue("controller", "controller");
    const sw = ca.issue("switch", "ovs-fmw");
    vsctl("--if-exists", "del-br", BRIDGE);
    sslBefore = vsctl("get-ssl");
    // OVS has one SSL configuration for all its ssl: connections; nothing else here uses one (restored after).
    vsctl("set-ssl", sw.key, sw.cert, ca.caCert);
    ctl = await createController({
      openflowPort: PORT,
      openflowHost: "127.0.0.1",
      openflowTls: { key: ca.pem(controller.key), cert: ca.pem(controller.cert), ca: ca.pem(ca.caCert) },
      httpPort: 0,
      dnsPort: 0,
      lldpIntervalMs: 60_000,
      claimProbeMs: 500,
    });
    ctl.events.subscribe((e) => events.push(`${e.type}:${String(e.dpid)}`));
    vsctl(
      ...["add-br", BRIDGE, "--", "set", "Bridge", BRIDGE, "datapath_type=netdev", "protocols=OpenFlow13", "fail-mode=secure", `other-config:datapath-id=${DPID}`],
      ...["--", "set-controller", BRIDGE, `ssl:127.0.0.1:${PORT}`],
    );
    await waitFor(() => ups() > 0, { timeoutMs: 30_000, what: "OVS connected over TLS" });
  }, 60_000);

  afterAll(async () => {
    for (const f of fakes) f.close();
    try {
      vsctl("--if-exists", "del-br", BRIDGE);
      if (!sslBefore) vsctl("del-ssl");
    } finally {
      await ctl?.close();
      if (ca) rmSync(ca.dir, { recursive: true, force: true });
    }
  }, 30_000);

  const install = (octet: number) =>
    ctl.http.inject({
      method: "POST",
      url: `/v1/switches/${DPID}/flows`,
      payload: { flows: [{ priority: 100, match: { ethType: 0x0800, ipv4Dst: `10.${octet}.0.1` }, instructions: [{ type: "applyActions", actions: [{ type: "output", port: 0xfffffffe }] }] }] },
    });

  it("OVS's ssl: session carries a flow install", async () => {
    await waitFor(() => connected(), { timeoutMs: 15_000, what: "OVS saying its ssl: controller is connected" });
    const r = await install(61);
    expect(r.statusCode, r.body).toBe(200);
    expect(of13("dump-flows", BRIDGE)).toContain("nw_dst=10.61.0.1");
  });

  it("plain TCP and TLS without a switch certificate get no session", async () => {
    const plain = new FakeSwitch(0xabcn, [1]);
    fakes.push(plain);
    await plain.connect(PORT);
    await waitFor(() => plain.socket.destroyed || plain.socket.readableEnded, { timeoutMs: 10_000, what: "the plain connection cut" });
    const anonymous = new FakeSwitch(0xabdn, [1]);
    fakes.push(anonymous);
    await anonymous.connect(PORT, { ca: ca.pem(ca.caCert), checkServerIdentity: () => undefined }).catch(() => undefined);
    await waitFor(() => anonymous.socket.destroyed || anonymous.socket.readableEnded, { timeoutMs: 10_000, what: "the certificate-less connection cut" });
    expect(events.some((e) => e.endsWith("0000000000000abc") || e.endsWith("0000000000000abd"))).toBe(false);
  });

  it("a stranger with a CA certificate claiming OVS's datapath id is refused while OVS answers; OVS keeps its session", async () => {
    const stranger = ca.issue("stranger", "stranger");
    const upsBefore = ups();
    const impostor = new FakeSwitch(BigInt(`0x${DPID}`), [9]);
    fakes.push(impostor);
    await impostor.connect(PORT, { key: ca.pem(stranger.key), cert: ca.pem(stranger.cert), ca: ca.pem(ca.caCert), checkServerIdentity: () => undefined });
    await waitFor(() => impostor.socket.destroyed || impostor.socket.readableEnded, { timeoutMs: 10_000, what: "the impostor cut" });
    expect(ups()).toBe(upsBefore);
    expect(events).not.toContain(`switch.down:${DPID}`);
    expect(connected()).toBe(true);
    const r = await install(62);
    expect(r.statusCode, r.body).toBe(200);
    expect(of13("dump-flows", BRIDGE)).toContain("nw_dst=10.62.0.1");
  });

  it("a connection whose certificate names the datapath id takes the session without waiting for a probe", async () => {
    const named = ca.issue("named", DPID);
    const upsBefore = ups();
    const successor = new FakeSwitch(BigInt(`0x${DPID}`), [3]);
    fakes.push(successor);
    // OVS would reconnect and take it back the same way; stop it from trying first.
    vsctl("del-controller", BRIDGE);
    await successor.connect(PORT, { key: ca.pem(named.key), cert: ca.pem(named.cert), ca: ca.pem(ca.caCert), checkServerIdentity: () => undefined });
    await waitFor(() => ups() > upsBefore, { timeoutMs: 10_000, what: "the named switch up" });
    expect(successor.socket.destroyed).toBe(false);
  });
});
