// `fleximigrate bench controller` (or `npm run bench -- controller`):
//  1. installs N distinct flows on a netdev OVS bridge with `ovs-ofctl -O OpenFlow13 --bundle add-flows` (the
//     peer that counts) and plain `add-flows` from a file, and through our controller (POST
//     /v1/switches/:dpid/flows: one ONF bundle, committed): flows/s of each, ratios ours / bundle and ours / plain;
//  2. cbench-style: 16 emulated switches over loopback keep W PACKET_INs in flight each; PACKET_INs answered/s;
//  3. the controller's peak RSS (VmHWM) with 1,000 emulated switches connected (fresh controller process);
//  4. codec: encode and decode messages/s of a mixed stream of every message family, beside `ovs-ofctl ofp-parse`.
// The controller runs as a child process (`node bin/fleximigrate.js controller ...`) on free ports.
import { spawnSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { defineCommand, type Parsed } from "../src/cli/define.js";
import * as flag from "../src/cli/flags.js";
import { formatTable, printJson } from "../src/cli/output.js";
import { ControllerProcess } from "./controller-process.js";
import { attachController, benchFlows, createBenchBridge, deleteBenchBridge, openflowTlsSetup, timeController, timeOvsOfctl } from "./controller-flow-install.js";
import { type CodecFigures, measureCodec } from "./codec-throughput.js";
import { EmulatedSwitch } from "./emulated-switch.js";
import { withServices } from "./services.js";

const PARTS = ["flows", "flows-tls", "packet-in", "memory", "codec"];

const flags = {
  flows: flag.number("N", "flows to install", { integer: true, min: 1, default: 10_000 }),
  repeat: flag.number("N", "alternating ovs-ofctl --bundle / ovs-ofctl / controller runs, median kept", { integer: true, min: 1, default: 5 }),
  switches: flag.number("N", "emulated switches for the PACKET_IN test", { integer: true, min: 1, default: 16 }),
  window: flag.number("W", "PACKET_INs in flight per switch", { integer: true, min: 1, default: 64 }),
  seconds: flag.number("S", "measured time after 1 s of warm-up", { min: 0.5, default: 5 }),
  "codec-seconds": flag.number("S", "time spent encoding, then decoding, the mixed stream", { min: 0.2, default: 2 }),
  "memory-switches": flag.number("N", "switches connected for the memory figure", { integer: true, min: 1, default: 1000 }),
  skip: flag.parsed("PARTS", `comma list of parts to leave out: ${PARTS.join(", ")}`, skipParts, { default: "" }),
  "controller-command": flag.parsed(
    "CMD",
    "benchmark another controller, started as\nCMD --openflow-port P --http-port H --dns-port D (same HTTP API)",
    commandWords,
  ),
  json: flag.boolean(`print {"flowInstall":{...},"codec":{...},"packetInResponsesPerSec":..,"peakRssMiB1000Switches":..}`),
};

export const command = defineCommand({
  name: "bench controller",
  description: `Measures the controller (run as a child process on free loopback ports):
flow install through it vs ovs-ofctl, cbench-style PACKET_IN responses/s,
and its peak RSS with many emulated switches connected.`,
  flags,
  epilog: "The flow part needs root and Open vSwitch; as root, the benchmark starts Open vSwitch when it is not running.",
  run: (parsed) => withServices(parsed.values.skip.has("flows") && parsed.values.skip.has("flows-tls") ? [] : ["ovs"], () => bench(parsed)),
});

function skipParts(raw: string): Set<string> {
  const skip = new Set(raw.split(",").filter(Boolean));
  for (const s of skip) if (!PARTS.includes(s)) throw new Error(`unknown part '${s}' (${PARTS.join(", ")})`);
  return skip;
}

function commandWords(raw: string): string[] {
  const words = raw.split(/\s+/).filter(Boolean);
  if (words.length === 0) throw new Error("empty command");
  return words;
}

export interface ControllerBenchResult {
  /** ratio: ours / `ovs-ofctl --bundle`; ratioPlain: ours / plain `ovs-ofctl add-flows`. */
  flowInstall: { oursPerSec: number; ovsOfctlBundlePerSec: number; ovsOfctlPerSec: number; ratio: number; ratioPlain: number };
  packetInResponsesPerSec: number;
  peakRssMiB1000Switches: number;
  codec?: CodecFigures;
}

const round = (x: number, digits = 0) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : 0);
const log = (msg: string) => process.stderr.write(`bench controller: ${msg}\n`);

const FIRST_DPID = 0xe0000000n;

async function connectSwitches(port: number, count: number, batch = 100): Promise<EmulatedSwitch[]> {
  const switches: EmulatedSwitch[] = [];
  for (let i = 0; i < count; i += batch) {
    const group = Array.from({ length: Math.min(batch, count - i) }, (_, j) => new EmulatedSwitch({ host: "127.0.0.1", port, dpid: FIRST_DPID + BigInt(i + j) }));
    switches.push(...group);
    await Promise.all(group.map((s) => s.connected()));
  }
  return switches;
}

async function waitHandshakes(switches: EmulatedSwitch[], timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const done = switches.filter((s) => s.handshakeDone).length;
      reject(new Error(`the controller did not finish the FEATURES handshake with every emulated switch within ${timeoutMs} ms (${done} done)`));
    }, timeoutMs);
  });
  try {
    await Promise.race([Promise.all(switches.map((s) => s.handshaken)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function measurePacketIns(nSwitches: number, seconds: number, window: number, command?: string[]): Promise<{ perSec: number; flowModsPerSec: number; packetOutsPerSec: number }> {
  const ctrl = await ControllerProcess.start({ command });
  const switches: EmulatedSwitch[] = [];
  try {
    switches.push(...(await connectSwitches(ctrl.openflowPort, nSwitches)));
    await waitHandshakes(switches, 30_000);
    await sleep(500); // let the controller finish its per-switch setup (table-miss flow, port desc...)
    const ticker = setInterval(() => {
      const now = Date.now();
      for (const s of switches) s.tick(now, 500);
    }, 100);
    try {
      for (const s of switches) s.pump(window);
      await sleep(1000); // warm-up: hosts get learned, JIT settles
      for (const s of switches) s.resetCounters();
      const t0 = performance.now();
      await sleep(seconds * 1000);
      const elapsed = (performance.now() - t0) / 1000;
      const answered = switches.reduce((a, s) => a + s.answered, 0);
      const flowMods = switches.reduce((a, s) => a + s.flowMods, 0);
      const packetOuts = switches.reduce((a, s) => a + s.packetOuts, 0);
      for (const s of switches) s.pump(0);
      return { perSec: answered / elapsed, flowModsPerSec: flowMods / elapsed, packetOutsPerSec: packetOuts / elapsed };
    } finally {
      clearInterval(ticker);
    }
  } finally {
    for (const s of switches) s.close();
    await ctrl.stop();
  }
}

async function measureMemory(nSwitches: number, command?: string[]): Promise<{ peakMiB: number; idleMiB: number; nowMiB: number; listed: number }> {
  const ctrl = await ControllerProcess.start({ command });
  const switches: EmulatedSwitch[] = [];
  try {
    const idleMiB = ctrl.rssMiB();
    switches.push(...(await connectSwitches(ctrl.openflowPort, nSwitches)));
    await waitHandshakes(switches, 120_000);
    let listed = -1;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      listed = await ctrl.switchCount();
      if (listed < 0 || listed >= nSwitches) break;
      await sleep(200);
    }
    await sleep(1000); // periodic work (echo, discovery) with every switch connected
    return { peakMiB: ctrl.peakRssMiB(), idleMiB, nowMiB: ctrl.rssMiB(), listed };
  } finally {
    for (const s of switches) s.close();
    await ctrl.stop();
  }
}

/** The controller alone, over plain TCP and over TLS (OVS ssl: target), alternating; medians of each. */
async function measureFlowInstallTls(nFlows: number, repeat: number): Promise<{ plain: number; tls: number; plainSeconds: number; tlsSeconds: number }> {
  const flows = benchFlows(nFlows);
  const tls = openflowTlsSetup();
  let plainCtrl: ControllerProcess | undefined;
  let tlsCtrl: ControllerProcess | undefined;
  try {
    plainCtrl = await ControllerProcess.start();
    tlsCtrl = await ControllerProcess.start({ extraArgs: tls.controllerArgs });
    const plain: number[] = [];
    const secure: number[] = [];
    for (let i = -1; i < repeat; i++) {
      createBenchBridge();
      const plainDpid = await attachController(plainCtrl);
      const p = (await timeController(plainCtrl, plainDpid, flows)).seconds;
      createBenchBridge();
      const tlsDpid = await attachController(tlsCtrl, { tls: true });
      const t = (await timeController(tlsCtrl, tlsDpid, flows)).seconds;
      if (i < 0) continue; // warm-up round
      plain.push(p);
      secure.push(t);
    }
    const [plainSeconds, tlsSeconds] = [median(plain), median(secure)];
    return { plain: nFlows / plainSeconds, tls: nFlows / tlsSeconds, plainSeconds, tlsSeconds };
  } finally {
    deleteBenchBridge();
    await plainCtrl?.stop();
    await tlsCtrl?.stop();
    tls.restore();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface FlowInstallFigures {
  ours: number;
  bundle: number;
  plain: number;
  oursSeconds: number;
  bundleSeconds: number;
  plainSeconds: number;
}

/**
 * One untimed round of each (page cache, JIT), then `repeat` rounds alternating `ovs-ofctl --bundle`,
 * plain `ovs-ofctl` and the controller on the same bridge; medians of each.
 */
async function measureFlowInstall(nFlows: number, repeat: number, command?: string[]): Promise<FlowInstallFigures> {
  const flows = benchFlows(nFlows);
  createBenchBridge();
  let ctrl: ControllerProcess | undefined;
  try {
    ctrl = await ControllerProcess.start({ command });
    const dpid = await attachController(ctrl);
    const ours: number[] = [];
    const bundle: number[] = [];
    const plain: number[] = [];
    for (let i = -1; i < repeat; i++) {
      const b = timeOvsOfctl(flows, { bundle: true }).seconds;
      const p = timeOvsOfctl(flows).seconds;
      const o = (await timeController(ctrl, dpid, flows)).seconds;
      if (i < 0) continue; // warm-up round
      bundle.push(b);
      plain.push(p);
      ours.push(o);
    }
    const [oursSeconds, bundleSeconds, plainSeconds] = [median(ours), median(bundle), median(plain)];
    return { ours: nFlows / oursSeconds, bundle: nFlows / bundleSeconds, plain: nFlows / plainSeconds, oursSeconds, bundleSeconds, plainSeconds };
  } finally {
    deleteBenchBridge();
    await ctrl?.stop();
  }
}

async function bench(parsed: Parsed<typeof flags>): Promise<number> {
  const v = parsed.values;
  const { window, repeat, skip, json } = v;
  const nFlows = v.flows;
  const nSwitches = v.switches;
  const seconds = v.seconds;
  const memorySwitches = v["memory-switches"];
  const command = v["controller-command"];

  const result: ControllerBenchResult = {
    flowInstall: { oursPerSec: 0, ovsOfctlBundlePerSec: 0, ovsOfctlPerSec: 0, ratio: 0, ratioPlain: 0 },
    packetInResponsesPerSec: 0,
    peakRssMiB1000Switches: 0,
  };
  const rows: Array<[string, string, string]> = [];
  let failed = false;
  const part = async (name: string, fn: () => Promise<void>) => {
    if (skip.has(name)) return;
    try {
      await fn();
    } catch (err) {
      failed = true;
      log(`${name}: ${(err as Error).message}`);
    }
  };

  // First: the memory part leaves this process with a large heap that slows in-process timing.
  await part("codec", async () => {
    log(`codec: encoding and decoding a mixed stream of every message family, then ovs-ofctl ofp-parse...`);
    const peer = spawnSync("ovs-ofctl", ["--version"], { stdio: "ignore" }).status === 0;
    const r = measureCodec(v["codec-seconds"], peer);
    result.codec = { ...r, encodePerSec: round(r.encodePerSec), decodePerSec: round(r.decodePerSec), decodePeerStreamPerSec: round(r.decodePeerStreamPerSec), ofpParsePerSec: round(r.ofpParsePerSec) };
    const stream = `mixed stream, ${r.families} messages: every family, every multipart kind`;
    rows.push(["codec encode", `${round(r.encodePerSec)} msgs/s`, `${stream}; no peer: ovs-ofctl encodes only from its text syntax`]);
    rows.push(["codec decode (framing + decode)", `${round(r.decodePerSec)} msgs/s`, stream]);
    if (!peer) {
      rows.push(["codec decode, ovs-ofctl ofp-parse", "-", "ovs-ofctl not found"]);
    } else {
      const n = r.families - r.noPeer.length;
      rows.push(["codec decode, ours on ofp-parse's stream", `${round(r.decodePeerStreamPerSec)} msgs/s`, `the ${n} messages ofp-print decodes`]);
      rows.push(["codec decode, ovs-ofctl ofp-parse", `${round(r.ofpParsePerSec)} msgs/s`, "same stream from a file, decoded and printed as text, less start-up; median of 3"]);
      rows.push(["codec decode ratio (ours / ofp-parse)", `${round(r.decodePeerStreamPerSec / r.ofpParsePerSec, 2)}`, "ofp-parse also formats text: not a like-for-like race"]);
      for (const np of r.noPeer) rows.push([`codec: no fair peer for ${np.family}`, "-", `ofp-print: ${np.why}`]);
    }
  });

  await part("flows", async () => {
    log(`installing ${nFlows} flows with ovs-ofctl --bundle, plain ovs-ofctl and through the controller...`);
    const r = await measureFlowInstall(nFlows, repeat, command);
    result.flowInstall = {
      oursPerSec: round(r.ours),
      ovsOfctlBundlePerSec: round(r.bundle),
      ovsOfctlPerSec: round(r.plain),
      ratio: round(r.ours / r.bundle, 3),
      ratioPlain: round(r.ours / r.plain, 3),
    };
    const detail = (seconds: number) => `${nFlows} flows in ${seconds.toFixed(3)} s (median of ${repeat})`;
    rows.push(["flow install, controller (POST /flows)", `${round(r.ours)} flows/s`, detail(r.oursSeconds)]);
    rows.push(["flow install, ovs-ofctl --bundle add-flows", `${round(r.bundle)} flows/s`, detail(r.bundleSeconds)]);
    rows.push(["flow install, ovs-ofctl add-flows", `${round(r.plain)} flows/s`, detail(r.plainSeconds)]);
    rows.push(["flow install ratio (ours / ovs-ofctl --bundle)", `${round(r.ours / r.bundle, 3)}`, "goal >= 1.0"]);
    rows.push(["flow install ratio (ours / plain ovs-ofctl)", `${round(r.ours / r.plain, 3)}`, "the figure before the bundle peer"]);
  });
  await part("flows-tls", async () => {
    if (command) throw new Error("--controller-command: the TLS row needs our controller's --openflow-tls");
    log(`installing ${nFlows} flows through the controller over plain TCP and over TLS (OVS ssl: target)...`);
    const r = await measureFlowInstallTls(nFlows, repeat);
    const detail = (seconds: number) => `${nFlows} flows in ${seconds.toFixed(3)} s (median of ${repeat})`;
    rows.push(["flow install, controller over TCP", `${round(r.plain)} flows/s`, detail(r.plainSeconds)]);
    rows.push(["flow install, controller over TLS", `${round(r.tls)} flows/s`, `${detail(r.tlsSeconds)}; --openflow-tls, OVS ssl: target`]);
    rows.push(["flow install ratio (TLS / TCP)", `${round(r.tls / r.plain, 3)}`, "what OpenFlow over TLS costs"]);
  });
  await part("packet-in", async () => {
    log(`cbench-style: ${nSwitches} emulated switches, window ${window}, ${seconds} s...`);
    const r = await measurePacketIns(nSwitches, seconds, window, command);
    result.packetInResponsesPerSec = round(r.perSec);
    rows.push([
      "PACKET_IN responses",
      `${round(r.perSec)} /s`,
      `${nSwitches} switches; FLOW_MOD ${round(r.flowModsPerSec)}/s, PACKET_OUT ${round(r.packetOutsPerSec)}/s; goal 100000/s`,
    ]);
  });
  await part("memory", async () => {
    log(`connecting ${memorySwitches} emulated switches...`);
    const r = await measureMemory(memorySwitches, command);
    result.peakRssMiB1000Switches = round(r.peakMiB, 1);
    rows.push([
      `controller peak RSS, ${memorySwitches} switches`,
      `${round(r.peakMiB, 1)} MiB`,
      `RSS idle ${round(r.idleMiB, 1)} MiB, now ${round(r.nowMiB, 1)} MiB; controller lists ${r.listed < 0 ? "?" : r.listed} switches`,
    ]);
  });

  if (json) printJson(result);
  else process.stdout.write(formatTable(["MEASURE", "VALUE", "DETAIL"], rows));
  return failed ? 1 : 0;
}
