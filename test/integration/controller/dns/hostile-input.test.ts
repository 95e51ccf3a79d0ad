// The controller under hostile DNS input, and DNS as an authoritative server
// should answer (RFC 1035, 2308, 6891), checked with `dig`.
// Flood: 20,000 random datagrams (with the count bomb that froze dns2 for
// 20 s) and 200 garbage TCP streams from another process, while a switch,
// the HTTP API and valid DNS queries are probed. The probes' latencies are
// printed, not asserted: what must hold is that every probe is answered and
// the switch is never dropped.
import { execFile, spawn } from "node:child_process";
import dgram from "node:dgram";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import dns2 from "dns2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createController, type RunningController } from "../../../../controller/app.js";
import { MessageStream } from "../../../../src/openflow/index.js";
import { describeWhen, hasCommand, missing } from "../../../helpers/env.js";
import { FakeSwitch } from "../../../helpers/fake-switch.js";
import { waitFor } from "../../../helpers/wait.js";

const run = promisify(execFile);
const { Packet } = dns2;
const FLOODER = fileURLToPath(new URL("../../../fixtures/dns-flooder.mjs", import.meta.url));
const S1 = "0000000000000001";

let ctl: RunningController;
const sw = new FakeSwitch(1n, [1]);

beforeAll(async () => {
  ctl = await createController({ openflowPort: 0, httpPort: 0, dnsPort: 0, lldpIntervalMs: 1000 });
  await sw.connect(ctl.openflowPort);
  await waitFor(async () => (await ctl.http.inject({ url: "/v1/switches" })).json().switches.length === 1, { what: "the switch registered" });
  const put = await ctl.http.inject({ method: "PUT", url: "/v1/dns/records/web", payload: { ip: "10.0.0.5" } });
  expect(put.statusCode).toBeLessThan(300);
});

afterAll(async () => {
  sw.close();
  await ctl?.close();
});

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/**
 * One valid A query over UDP, retried as a resolver does (a flood fills the
 * socket buffers, and UDP drops); resolves with the address and the tries.
 */
async function askA(client: dgram.Socket, port: number, id: number): Promise<{ address: string; tries: number }> {
  for (let tries = 1; ; tries++) {
    try {
      return { address: await askOnce(client, port, id * 8 + tries), tries };
    } catch (err) {
      if (tries === 3) throw err;
    }
  }
}

function askOnce(client: dgram.Socket, port: number, id: number): Promise<string> {
  const q = new Packet();
  q.header.id = id;
  q.questions.push({ name: "web.svc.fleximigrate.local", type: 1, class: 1 } as InstanceType<typeof Packet.Question>);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`DNS query ${id} unanswered`)), 1000);
    const onMessage = (msg: Buffer) => {
      const r = Packet.parse(msg);
      if (r.header.id === id) done(undefined, (r.answers[0] as { address?: string } | undefined)?.address ?? "");
    };
    const done = (err?: Error, address?: string) => {
      clearTimeout(timer);
      client.off("message", onMessage);
      if (err) reject(err);
      else resolve(address!);
    };
    client.on("message", onMessage);
    client.send(q.toBuffer(), port, "127.0.0.1");
  });
}

/** ECHO round trips from the switch's side, timed on a second reader of its socket. */
function echoProbe(s: FakeSwitch) {
  const stream = new MessageStream();
  const waiting = new Map<number, () => void>();
  s.socket.on("data", (chunk: Buffer) => {
    for (const m of stream.push(chunk).messages) if (m.type === "echoReply") waiting.get(m.xid)?.();
  });
  let xid = 0x7e000000;
  return (): Promise<number> =>
    new Promise((resolve, reject) => {
      const id = ++xid;
      const started = performance.now();
      const timer = setTimeout(() => reject(new Error(`ECHO ${id} unanswered`)), 5000);
      waiting.set(id, () => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve(performance.now() - started);
      });
      s.send({ type: "echoRequest", xid: id, data: Buffer.alloc(0) });
    });
}

describe("the controller under a DNS flood", () => {
  it("keeps its switch, answers HTTP, ECHO and valid DNS queries throughout", async () => {
    const flooder = spawn(process.execPath, [FLOODER, String(ctl.dnsPort), "20000", "200", "20261201"], { stdio: ["ignore", "pipe", "inherit"] });
    let report = "";
    flooder.stdout.on("data", (d: Buffer) => {
      report += d.toString();
    });
    const finished = new Promise<number>((resolve) => flooder.on("exit", (code) => resolve(code ?? -1)));
    let running = true;
    void finished.then(() => {
      running = false;
    });
    const echo = echoProbe(sw);
    const client = dgram.createSocket("udp4");
    await new Promise<void>((r) => client.bind(0, "127.0.0.1", () => r()));
    const http: number[] = [];
    const ofEcho: number[] = [];
    const dns: number[] = [];
    const answers = new Set<string>();
    let id = 1;
    let retried = 0;
    // Probe every 20 ms until the flood ends (bounded: at most 60 s of probing).
    for (let round = 0; (running || round < 5) && round < 3000; round++) {
      const t0 = performance.now();
      const res = await fetch(`http://127.0.0.1:${ctl.httpPort}/v1/switches`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { switches: { dpid: string }[] }).switches.map((s) => s.dpid)).toEqual([S1]);
      http.push(performance.now() - t0);
      ofEcho.push(await echo());
      const t1 = performance.now();
      const a = await askA(client, ctl.dnsPort, id++);
      answers.add(a.address);
      if (a.tries > 1) retried++;
      dns.push(performance.now() - t1);
      await new Promise((r) => setTimeout(r, 20));
    }
    client.close();
    expect(await finished).toBe(0);
    expect(JSON.parse(report)).toEqual({ datagrams: 20000, streams: 200 });
    expect([...answers]).toEqual(["10.0.0.5"]);
    expect(sw.socket.destroyed).toBe(false);
    const line = (name: string, v: number[]) => `${name} p50 ${percentile(v, 50).toFixed(1)} ms, p99 ${percentile(v, 99).toFixed(1)} ms`;
    process.stdout.write(`DNS flood (20,000 datagrams, 200 garbage streams), ${http.length} probe rounds: ${line("HTTP", http)}; ${line("ECHO", ofEcho)}; ${line("DNS", dns)} (${retried} queries needed a retry)\n`);
  });
});

describeWhen("DNS answers dig as an authoritative server should", missing([[() => hasCommand("dig", ["-v"]), "dig is not installed (dnsutils)"]]), () => {
  async function dig(...args: string[]): Promise<string> {
    const { stdout } = await run("dig", ["@127.0.0.1", "-p", String(ctl.dnsPort), "+norecurse", "+tries=1", "+time=2", ...args], { timeout: 10_000 }).catch(
      (err: { stdout?: string }) => ({ stdout: err.stdout ?? "" }),
    );
    return stdout;
  }

  it("sends an OPT record back to EDNS queries, and BADVERS to EDNS version 1", async () => {
    const plain = await dig("web.svc.fleximigrate.local", "A");
    expect(plain).toMatch(/status: NOERROR/);
    expect(plain).toMatch(/; EDNS: version: 0, flags:; udp: 1232/);
    const v1 = await dig("+edns=1", "+noednsnegotiation", "web.svc.fleximigrate.local", "A");
    expect(v1).toMatch(/status: BADVERS/);
    const none = await dig("+noedns", "web.svc.fleximigrate.local", "A");
    expect(none).toMatch(/status: NOERROR/);
    expect(none).not.toMatch(/OPT PSEUDOSECTION/);
  });

  it("refuses other classes and zone transfers, and keeps the case asked", async () => {
    expect(await dig("-c", "CH", "version.bind", "TXT")).toMatch(/status: REFUSED/);
    expect(await dig("svc.fleximigrate.local", "AXFR")).toMatch(/REFUSED|Transfer failed/);
    const mixed = await dig("WeB.Svc.FlexiMigrate.local", "A");
    expect(mixed).toMatch(/^WeB\.Svc\.FlexiMigrate\.local\.\s+\d+\s+IN\s+A\s+10\.0\.0\.5$/m);
  });

  it("answers FORMERR to a malformed query instead of going silent", async () => {
    const client = dgram.createSocket("udp4");
    const bomb = Buffer.alloc(46);
    bomb.writeUInt16BE(0x4242, 0);
    for (const at of [4, 6, 8, 10]) bomb.writeUInt16BE(0xffff, at);
    const reply = await new Promise<Buffer>((resolve) => {
      client.once("message", resolve);
      client.send(bomb, ctl.dnsPort, "127.0.0.1");
    });
    client.close();
    expect(Packet.parse(reply).header).toMatchObject({ id: 0x4242, qr: 1, rcode: 1 });
  });
});
