// The flow-install half of the controller benchmark: the same N flows installed on a netdev OVS bridge
// by `ovs-ofctl -O OpenFlow13 --bundle add-flows` (OVS's own fast path: one ONF bundle, the peer that
// counts) and plain `ovs-ofctl add-flows` from a file, and by our controller through
// POST /v1/switches/:dpid/flows (one bundle of FLOW_MODs, committed), each timed end to end.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonBody } from "../src/http/json-client.js";
import type { Instruction, Match } from "../src/openflow/index.js";
import type { ControllerProcess } from "./controller-process.js";
import { waitFor } from "../src/wait.js";
import { TestCa } from "./throwaway-ca.js";

export const BENCH_BRIDGE = "fmbbench0";
export const BENCH_DPID = 0xfbe01n;

export interface BenchFlow {
  priority: number;
  match: Match;
  instructions: Instruction[];
}

function ovs(cmd: string, args: string[], timeoutMs = 120_000): string {
  return execFileSync(cmd, args, { encoding: "utf8", timeout: timeoutMs, stdio: ["ignore", "pipe", "pipe"] });
}

/** N distinct flows: IPv4 /32 destinations 10.x.y.z from in_port 1, out port 2. */
export function benchFlows(n: number): BenchFlow[] {
  return Array.from({ length: n }, (_, i) => ({
    priority: 100,
    match: { inPort: 1, ethType: 0x0800, ipv4Dst: `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}` },
    instructions: [{ type: "applyActions", actions: [{ type: "output", port: 2 }] }],
  }));
}

/** The same flows in ovs-ofctl's flow syntax. */
export function ovsOfctlLines(flows: BenchFlow[]): string {
  return `${flows.map((f) => `table=0,priority=${f.priority},ip,in_port=${f.match.inPort},nw_dst=${f.match.ipv4Dst},actions=output:2`).join("\n")}\n`;
}

/** (Re)creates the bench bridge: netdev datapath, OpenFlow 1.3, fail-mode secure, no controller. */
export function createBenchBridge(): void {
  ovs("ovs-vsctl", [
    "--if-exists",
    "del-br",
    BENCH_BRIDGE,
    "--",
    "add-br",
    BENCH_BRIDGE,
    "--",
    "set",
    "bridge",
    BENCH_BRIDGE,
    "datapath_type=netdev",
    "protocols=OpenFlow13",
    "fail-mode=secure",
    `other-config:datapath-id=${BENCH_DPID.toString(16).padStart(16, "0")}`,
  ]);
}

export function deleteBenchBridge(): void {
  ovs("ovs-vsctl", ["--if-exists", "del-br", BENCH_BRIDGE]);
}

/** Flows on the bridge that are at least as specific as `ip,in_port=1` (ours, not the controller's defaults). */
export function installedBenchFlows(): number {
  const out = ovs("ovs-ofctl", ["-O", "OpenFlow13", "dump-aggregate", BENCH_BRIDGE, "ip,in_port=1"]);
  return Number(/flow_count=(\d+)/.exec(out)?.[1] ?? Number.NaN);
}

/**
 * Times `ovs-ofctl add-flows` of the flows from a file (`--bundle`: all in one ONF bundle). The bridge is
 * fail-mode secure, so a connected controller does not interfere; every run starts with none of the bench
 * flows (the controller's own stay).
 */
export function timeOvsOfctl(flows: BenchFlow[], opts: { bundle?: boolean } = {}): { perSec: number; seconds: number } {
  const dir = mkdtempSync(join(tmpdir(), "fmb-flows-"));
  try {
    const file = join(dir, "flows.txt");
    writeFileSync(file, ovsOfctlLines(flows));
    ovs("ovs-ofctl", ["-O", "OpenFlow13", "del-flows", BENCH_BRIDGE, "ip,in_port=1"]);
    const t0 = performance.now();
    ovs("ovs-ofctl", ["-O", "OpenFlow13", ...(opts.bundle ? ["--bundle"] : []), "add-flows", BENCH_BRIDGE, file]);
    const seconds = (performance.now() - t0) / 1000;
    const installed = installedBenchFlows();
    if (installed !== flows.length) throw new Error(`ovs-ofctl installed ${installed} of ${flows.length} flows`);
    return { perSec: flows.length / seconds, seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function dpidValue(raw: unknown): bigint | undefined {
  try {
    if (typeof raw === "number" || typeof raw === "bigint") return BigInt(raw);
    if (typeof raw !== "string") return undefined;
    const hex = raw.replace(/^0x/i, "").replaceAll(":", "");
    return /^[0-9a-f]+$/i.test(hex) ? BigInt(`0x${hex}`) : undefined;
  } catch {
    return undefined;
  }
}

/** Waits until the controller lists the bench bridge; returns the dpid as the API spells it. */
async function waitForSwitch(ctrl: ControllerProcess, timeoutMs: number): Promise<string> {
  const listed = async () => (await ctrl.api.switches()).switches.find((s) => dpidValue(s.dpid) === BENCH_DPID)?.dpid;
  return waitFor(listed, { timeoutMs, intervalMs: 100, what: `the controller to list bridge ${BENCH_BRIDGE} (dpid ${BENCH_DPID.toString(16)})` });
}

/**
 * OVS's one SSL configuration pointed at a throw-away CA's switch certificate, and the controller's
 * --openflow-tls flags from the same CA; `restore` puts OVS's configuration back and removes the files.
 */
export function openflowTlsSetup(): { controllerArgs: string[]; restore(): void } {
  const ca = new TestCa("fmb-oftls");
  const controller = ca.issue("controller", "controller");
  const sw = ca.issue("switch", BENCH_DPID.toString(16).padStart(16, "0"));
  const before = ovs("ovs-vsctl", ["get-ssl"]).trim();
  if (before) {
    rmSync(ca.dir, { recursive: true, force: true });
    throw new Error(`Open vSwitch already has an SSL configuration (ovs-vsctl get-ssl): not replacing it\n${before}`);
  }
  ovs("ovs-vsctl", ["set-ssl", sw.key, sw.cert, ca.caCert]);
  return {
    controllerArgs: ["--openflow-tls", "--openflow-key", controller.key, "--openflow-cert", controller.cert, "--openflow-ca", ca.caCert],
    restore() {
      try {
        ovs("ovs-vsctl", ["del-ssl"]);
      } finally {
        rmSync(ca.dir, { recursive: true, force: true });
      }
    },
  };
}

/** Points the bench bridge at the controller; returns the dpid as the controller's API spells it. */
export async function attachController(ctrl: ControllerProcess, opts: { tls?: boolean } = {}): Promise<string> {
  ovs("ovs-vsctl", ["set-controller", BENCH_BRIDGE, `${opts.tls ? "ssl" : "tcp"}:127.0.0.1:${ctrl.openflowPort}`]);
  return await waitForSwitch(ctrl, 30_000);
}

/** Times POST /v1/switches/:dpid/flows (one committed bundle), starting with none of the bench flows, until the API answers. */
export async function timeController(ctrl: ControllerProcess, dpid: string, flows: BenchFlow[]): Promise<{ perSec: number; seconds: number }> {
  ovs("ovs-ofctl", ["-O", "OpenFlow13", "del-flows", BENCH_BRIDGE, "ip,in_port=1"]);
  // Serialized before the clock starts: the peer's flow file is written before its clock starts too.
  const body = JsonBody.of({ flows });
  const t0 = performance.now();
  await ctrl.api.installFlows(dpid, body, { timeoutMs: 300_000 });
  const seconds = (performance.now() - t0) / 1000;
  const installed = installedBenchFlows();
  if (installed !== flows.length) throw new Error(`the controller installed ${installed} of ${flows.length} flows`);
  return { perSec: flows.length / seconds, seconds };
}
