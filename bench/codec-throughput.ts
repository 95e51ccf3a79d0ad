// The codec part of `bench controller`: encode and decode throughput (messages/s) of a mixed stream holding
// every message family (bench/codec-stream.ts), and beside it `ovs-ofctl ofp-parse` over a file of the same
// stream: OVS's only way to decode a file of OpenFlow messages, which also prints each as text (so it does
// more than decode). Families ofp-print cannot decode have no fair peer and are left out of the peer's
// stream (and of the matching figure of ours); OVS encodes only from its own text syntax, so encoding has no peer.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeMessage, MessageStream, Writer, writeMessage } from "../src/openflow/index.js";
import type { OfMessage } from "../src/openflow/messages.js";
import { codecSamples } from "./codec-stream.js";

export interface CodecFigures {
  families: number;
  encodePerSec: number;
  decodePerSec: number;
  /** Ours over the families ofp-parse decodes, and ofp-parse over the same stream (0: not run). */
  decodePeerStreamPerSec: number;
  ofpParsePerSec: number;
  /** Families ovs-ofctl ofp-print cannot decode, with its complaint. */
  noPeer: Array<{ family: string; why: string }>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Messages/s of `fn` (which handles `perRound` messages): after half a second of warm-up, five trials of
 * `seconds / 5` each, median kept (the machine is shared: one long trial takes in whatever else ran).
 */
function rate(perRound: number, seconds: number, fn: () => void): number {
  const warm = performance.now();
  while (performance.now() - warm < 500) fn();
  const trials: number[] = [];
  for (let t = 0; t < 5; t++) {
    let rounds = 0;
    const t0 = performance.now();
    let elapsed = 0;
    do {
      for (let i = 0; i < 20; i++) fn();
      rounds += 20;
      elapsed = (performance.now() - t0) / 1000;
    } while (elapsed < seconds / 5);
    trials.push((rounds * perRound) / elapsed);
  }
  return median(trials);
}

function encodeRate(msgs: OfMessage[], seconds: number): number {
  const w = new Writer(64 * 1024);
  return rate(msgs.length, seconds, () => {
    w.pos = 0;
    for (const m of msgs) writeMessage(w, m);
  });
}

/** Framing and decoding, as the controller reads a connection: one MessageStream fed the whole stream. */
function decodeRate(wire: Buffer, count: number, seconds: number): number {
  const stream = new MessageStream();
  return rate(count, seconds, () => {
    const batch = stream.push(wire);
    if (batch.messages.length !== count) throw new Error(`decoded ${batch.messages.length} of ${count} messages`);
  });
}

/** What ofp-print says of one message when it cannot decode it; undefined when it can. */
function ofpPrintComplaint(dir: string, wire: Buffer): string | undefined {
  const file = join(dir, "one.bin");
  writeFileSync(file, wire);
  const r = spawnSync("ovs-ofctl", ["ofp-parse", file], { encoding: "utf8", timeout: 10_000 });
  if (r.error) throw r.error;
  const text = `${r.stdout}\n${r.stderr}`;
  const line = text.split("\n").find((l) => /decode error|\|WARN\||\|ERR\|/.test(l));
  return line?.replace(/^.*\|(WARN|ERR)\|/, "").trim();
}

/** Seconds ofp-parse takes for a file holding `copies` copies of the stream. */
function timeOfpParse(dir: string, wire: Buffer, copies: number): number {
  const file = join(dir, `stream-${copies}.bin`);
  writeFileSync(file, Buffer.concat(Array.from({ length: copies }, () => wire)));
  const t0 = performance.now();
  const r = spawnSync("ovs-ofctl", ["ofp-parse", file], { stdio: "ignore", timeout: 120_000 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`ovs-ofctl ofp-parse exited with ${r.status}`);
  return seconds;
}

/**
 * Our encode and decode rates over the whole stream for `seconds` each; then, unless `withPeer` is false,
 * ofp-parse over 2,000 copies of the stream it can decode, less its start-up (a run over one copy), median of 3.
 */
export function measureCodec(seconds: number, withPeer: boolean): CodecFigures {
  const samples = codecSamples();
  const msgs = samples.map((s) => s.msg);
  const wires = msgs.map((m) => Buffer.from(encodeMessage(m)));
  const wire = Buffer.concat(wires);
  const figures: CodecFigures = {
    families: samples.length,
    encodePerSec: encodeRate(msgs, seconds),
    decodePerSec: decodeRate(wire, msgs.length, seconds),
    decodePeerStreamPerSec: 0,
    ofpParsePerSec: 0,
    noPeer: [],
  };
  if (!withPeer) return figures;
  const dir = mkdtempSync(join(tmpdir(), "fmb-codec-"));
  try {
    const peerWires: Buffer[] = [];
    samples.forEach((s, i) => {
      const why = ofpPrintComplaint(dir, wires[i]!);
      if (why) figures.noPeer.push({ family: s.family, why });
      else peerWires.push(wires[i]!);
    });
    const peerWire = Buffer.concat(peerWires);
    figures.decodePeerStreamPerSec = decodeRate(peerWire, peerWires.length, seconds);
    const copies = 2000;
    const runs = [0, 1, 2].map(() => timeOfpParse(dir, peerWire, copies) - timeOfpParse(dir, peerWire, 1));
    figures.ofpParsePerSec = ((copies - 1) * peerWires.length) / median(runs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
