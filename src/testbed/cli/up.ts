// `fleximigrate testbed up`: the testbed with the closed loop's services on it,
// until Ctrl-C (or --duration); everything is removed on the way out.
import { mkdtempSync } from "node:fs";
import path from "node:path";
import { defineCommand } from "../../cli/define.js";
import * as flag from "../../cli/flags.js";
import { printJson } from "../../cli/output.js";
import { startTestbed } from "../testbed.js";
import { definitionFrom, needRoot, prefixFlag } from "./common.js";

export const command = defineCommand({
  name: "testbed up",
  description: `Builds the testbed of mininet/testbed.json (two edge sites and a cloud, one
OVS switch per site, agent and device hosts, the WAN relay between the sites)
and starts the controller, the scheduler and an agent inside each agent host's
namespace (every API under mutual TLS, a CA made for the run), each registered
with its delay to the devices as measured by ping.
Prints the WAN's measured RTT and jitter beside the configured delay. Runs
until Ctrl-C or --duration; removes everything it made on the way out
(after a crash: fleximigrate testbed clean).`,
  flags: {
    prefix: prefixFlag,
    definition: flag.string("FILE", "the testbed definition (default mininet/testbed.json)"),
    "delay-ms": flag.number("MS", "WAN one-way delay (overrides the definition)", { min: 0, max: 5000 }),
    "bandwidth-mbit": flag.number("N", "WAN bandwidth, 0: unshaped (overrides the definition)", { min: 0, max: 10_000 }),
    "base-port": flag.number("N", "the scheduler's port; agents take the next ones", { integer: true, min: 1024, max: 65000, default: 44088 }),
    duration: flag.number("S", "stop after S seconds", { min: 0 }),
    insecure: flag.boolean("plain HTTP, no authentication, instead of mutual TLS (logged; for looking at a testbed with curl)"),
    json: flag.boolean("print the testbed's summary as JSON"),
  },
  async run({ values: v }) {
    needRoot("up");
    const definition = definitionFrom(v.definition);
    const wan = { ...(v["delay-ms"] !== undefined ? { delayMs: v["delay-ms"] } : {}), ...(v["bandwidth-mbit"] !== undefined ? { bandwidthMbit: v["bandwidth-mbit"] } : {}) };
    const log = (line: string) => process.stderr.write(`[testbed] ${line}\n`);
    const started = Date.now();
    const stateDir = mkdtempSync(`/tmp/${v.prefix}-testbed-`);
    const tb = await startTestbed({ prefix: v.prefix, insecure: v.insecure, definition, wan, basePort: v["base-port"], stateDir, log });
    const summary = {
      startupMs: Date.now() - started,
      scheduler: tb.loop.schedulerUrl,
      controller: tb.loop.controllerUrl,
      /** The run's trust directory: the CLI reaches the services with FLEXIMIGRATE_TLS_DIR=this (its admin certificate). */
      tlsDir: tb.loop.tls ? path.join(stateDir, "tls") : null,
      agents: Object.fromEntries(tb.loop.agents),
      wan: tb.wan,
      delays: tb.delays.map((d) => ({ node: d.node, tier: d.tier, from: d.from, registeredMs: d.registeredMs })),
    };
    if (v.json) printJson(summary);
    else {
      process.stdout.write(`testbed ${v.prefix} up in ${(summary.startupMs / 1000).toFixed(1)} s; Ctrl-C stops it\n  scheduler ${summary.scheduler}\n  controller ${summary.controller}\n  ${summary.tlsDir ? `mutual TLS: FLEXIMIGRATE_TLS_DIR=${summary.tlsDir} for the CLI (admin)` : "--insecure: plain HTTP"}\n`);
      for (const [n, u] of tb.loop.agents) process.stdout.write(`  agent ${n.padEnd(8)} ${u}  delay to devices ${tb.delays.find((d) => d.node === n)?.registeredMs} ms\n`);
      for (const w of tb.wan)
        process.stdout.write(`  WAN ${w.site}↔cloud: RTT ${w.rttMedianMs.toFixed(2)} ms (configured ${w.configuredRttMs} ms), min ${w.rttMinMs.toFixed(2)}, jitter (mdev) ${w.jitterMdevMs.toFixed(2)} ms\n`);
    }
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
      if (v.duration !== undefined) setTimeout(resolve, v.duration * 1000).unref();
    });
    const t = Date.now();
    await tb.stop();
    log(`down in ${((Date.now() - t) / 1000).toFixed(1)} s; everything it made is removed`);
    return 0;
  },
});
