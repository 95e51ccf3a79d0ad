// `npm run bench -- testbed`: the testbed's start-up and tear-down time, and the
// WAN relay's throughput and added latency at 1, 10 and 100 Mbit/s beside a
// plain veth path with the same tbf, in the same run.
//
// The relay path is the testbed's WAN link in miniature: two namespaces whose
// kernel VXLAN devices send their UDP through the relay's namespace (the relay
// process, tbf on its two links); the plain path is one veth pair with tbf on
// both ends. Latency: ping RTT (median, mdev) idle; throughput: iperf (TCP, 3 s).
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { promisify } from "node:util";
import { defineCommand } from "../src/cli/define.js";
import * as flag from "../src/cli/flags.js";
import { printJson } from "../src/cli/output.js";
import { Child } from "../src/demo/children.js";
import { loadDefinition } from "../src/testbed/definition.js";
import { median, parsePing } from "../src/testbed/ping.js";
import { tbfBurstBytes, wanAddresses } from "../src/testbed/plan.js";
import { startTestbed } from "../src/testbed/testbed.js";

const run = promisify(execFile);
const P = "fmt";
const log = (line: string) => process.stderr.write(`[bench testbed] ${line}\n`);

interface PathRow {
  path: "veth" | "relay";
  rateMbit: number;
  delayMs: number;
  rttMedianMs: number;
  jitterMdevMs: number;
  throughputMbit: number;
}

export const command = defineCommand({
  name: "bench testbed",
  description: `The testbed's start-up and tear-down time (mininet/testbed.json, agents and all),
and the WAN relay against a plain veth path at each rate, same tbf, same run:
  RTT ms      ping's median RTT, idle (relay: with --delay-ms 0, its own cost;
              one row with 10 ms one-way shows the configured delay's effect)
  mdev ms     ping's spread (jitter)
  Mbit/s      iperf TCP throughput over 3 s`,
  flags: {
    rates: flag.list("LIST", "rates in Mbit/s, comma-separated (default 1,10,100)"),
    "no-startup": flag.boolean("skip the testbed start-up/tear-down measure"),
    json: flag.boolean("print the rows as JSON"),
  },
  epilog: `Needs root. Names start with '${P}-'; everything is removed at the end. Run it alone:
  flock /tmp/fm-integration.lock npm run bench -- testbed`,
  async run({ values: v }) {
    if (process.getuid?.() !== 0) {
      process.stderr.write("bench testbed needs root (namespaces, OVS)\n");
      return 2;
    }
    const rates = v.rates.length ? v.rates.map(Number) : [1, 10, 100];
    const rows: PathRow[] = [];
    for (const rate of rates) {
      rows.push(await measure("veth", rate, 0));
      rows.push(await measure("relay", rate, 0));
    }
    rows.push(await measure("relay", rates[rates.length - 1]!, 10));
    let startup: { startupMs: number; teardownMs: number } | null = null;
    if (!v["no-startup"]) startup = await startupTeardown();
    if (v.json) printJson({ rows, startup });
    else {
      const out = ["path    Mbit/s(tbf)  delay ms  RTT ms  mdev ms  Mbit/s"];
      for (const r of rows) out.push(`${r.path.padEnd(7)} ${String(r.rateMbit).padStart(11)}  ${String(r.delayMs).padStart(8)}  ${r.rttMedianMs.toFixed(3).padStart(6)}  ${r.jitterMdevMs.toFixed(3).padStart(7)}  ${r.throughputMbit.toFixed(2).padStart(6)}`);
      if (startup) out.push(`\ntestbed start-up ${(startup.startupMs / 1000).toFixed(1)} s, tear-down ${(startup.teardownMs / 1000).toFixed(1)} s`);
      process.stdout.write(`${out.join("\n")}\n`);
    }
    return 0;
  },
});

async function sh(argv: string[]): Promise<void> {
  await run(argv[0]!, argv.slice(1), { timeout: 20_000 });
}
const quiet = (argv: string[]) => run(argv[0]!, argv.slice(1)).then(() => undefined, () => undefined);

async function measure(path: "veth" | "relay", rate: number, delayMs: number): Promise<PathRow> {
  const [a, b, r] = [`${P}-ba`, `${P}-bb`, `${P}-br`];
  const remove = async () => {
    for (const ns of [a, b, r]) await quiet(["ip", "netns", "del", ns]);
  };
  await remove();
  let relay: Child | undefined;
  let server: ReturnType<typeof spawn> | undefined;
  const tbf = (ns: string, dev: string) => sh(["ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", dev, "root", "tbf", "rate", `${rate}mbit`, "burst", String(tbfBurstBytes(rate)), "latency", "100ms"]);
  try {
    for (const ns of [a, b, ...(path === "relay" ? [r] : [])]) {
      await sh(["ip", "netns", "add", ns]);
      await sh(["ip", "-n", ns, "link", "set", "lo", "up"]);
    }
    if (path === "veth") {
      await sh(["ip", "link", "add", "eth0", "netns", a, "type", "veth", "peer", "name", "eth0", "netns", b]);
      await tbf(a, "eth0");
      await tbf(b, "eth0");
      for (const [ns, ip] of [[a, "10.99.0.1"], [b, "10.99.0.2"]] as const) {
        await sh(["ip", "-n", ns, "addr", "add", `${ip}/24`, "dev", "eth0"]);
        await sh(["ip", "-n", ns, "link", "set", "eth0", "up"]);
      }
    } else {
      const w = wanAddresses(9);
      for (const [ns, local, ra, q] of [[a, w.ua, w.ra, "qa"], [b, w.ub, w.rb, "qb"]] as const) {
        await sh(["ip", "link", "add", "w0", "netns", ns, "mtu", "1600", "type", "veth", "peer", "name", q, "netns", r, "mtu", "1600"]);
        await sh(["ip", "-n", ns, "addr", "add", `${local}/30`, "dev", "w0"]);
        await sh(["ip", "-n", ns, "link", "set", "w0", "up"]);
        await sh(["ip", "-n", r, "addr", "add", `${ra}/30`, "dev", q]);
        await sh(["ip", "-n", r, "link", "set", q, "up"]);
        await tbf(r, q);
        await sh(["ip", "-n", ns, "link", "add", "eth0", "type", "vxlan", "id", "4299", "local", local, "remote", ra, "dstport", "4789", "dev", "w0"]);
        await sh(["ip", "-n", ns, "addr", "add", `${ns === a ? "10.99.0.1" : "10.99.0.2"}/24`, "dev", "eth0"]);
        // The relay copies each datagram in user space: a TCP checksum left to offload would never be filled in.
        await sh(["ip", "netns", "exec", ns, "ethtool", "-K", "eth0", "tx", "off"]);
        await sh(["ip", "-n", ns, "link", "set", "eth0", "up"]);
      }
      relay = new Child("relay", ["testbed", "relay", "--a", w.ra, "--a-peer", w.ua, "--b", w.rb, "--b-peer", w.ub, "--delay-ms", String(delayMs), "--queue", "2000"], { wrap: ["ip", "netns", "exec", r] });
      await relay.waitForLine(/"relaying"/, 30_000);
    }
    const pingOut = await run("ip", ["netns", "exec", a, "ping", "-c", "30", "-i", "0.05", "-W", "2", "10.99.0.2"], { timeout: 30_000 }).then(
      (x) => x.stdout,
      (e: { stdout?: string }) => e.stdout ?? "",
    );
    const ping = parsePing(pingOut);
    server = spawn("ip", ["netns", "exec", b, "iperf", "-s", "-B", "10.99.0.2"], { stdio: "ignore" });
    await new Promise((res) => setTimeout(res, 500));
    // iperf's client can hang waiting for the server's report: a hard limit, and NaN (shown as "—") when it hits.
    const { stdout } = await run("ip", ["netns", "exec", a, "timeout", "-s", "KILL", "20", "iperf", "-c", "10.99.0.2", "-t", "3", "-y", "C"], { timeout: 30_000 }).catch(() => ({ stdout: "" }));
    const bps = stdout.trim() ? Number(stdout.trim().split("\n").pop()!.split(",").pop()) : Number.NaN;
    const row: PathRow = { path, rateMbit: rate, delayMs, rttMedianMs: ping ? median(ping.samplesMs) : Number.NaN, jitterMdevMs: ping?.mdevMs ?? Number.NaN, throughputMbit: bps / 1e6 };
    log(`${path} ${rate} Mbit/s, delay ${delayMs} ms: RTT ${row.rttMedianMs.toFixed(3)} ms, ${row.throughputMbit.toFixed(2)} Mbit/s`);
    return row;
  } finally {
    if (server?.pid) {
      try {
        process.kill(server.pid, "SIGTERM");
      } catch {}
    }
    await relay?.stop();
    await remove();
  }
}

async function startupTeardown(): Promise<{ startupMs: number; teardownMs: number }> {
  const stateDir = mkdtempSync(`/tmp/${P}-bench-`);
  const t0 = Date.now();
  const tb = await startTestbed({ prefix: P, definition: loadDefinition(), basePort: 44500, stateDir, log });
  const startupMs = Date.now() - t0;
  const t1 = Date.now();
  await tb.stop();
  rmSync(stateDir, { recursive: true, force: true });
  return { startupMs, teardownMs: Date.now() - t1 };
}
