// Captures OpenFlow 1.3 bytes from real Open vSwitch for the codec's byte vectors (test/unit/src/openflow/
// vectors.test.ts), as root with OVS running:
//   npx tsx test/helpers/ofctl-capture.ts
// A netdev bridge `fmbcap0` listens passively on a loopback port; `ovs-ofctl -O OpenFlow13 CMD tcp:...` talks
// to it through a logging proxy (both directions, framed per message); then a tiny capture controller on the
// bridge's active connection makes OVS send what only a controller hears (PACKET_IN, FLOW_REMOVED,
// PORT_STATUS, a failed bundle commit). Prints one line per message: step, direction, hex. Removes its bridge.
import { execFile, execFileSync } from "node:child_process";
import net from "node:net";
import { promisify } from "node:util";
import { decodeMessage, encodeMessage, MessageStream, type OfMessage } from "../../src/openflow/index.js";

const BR = "fmbcap0";
/** ovs-ofctl runs asynchronously: the proxy it talks through lives in this process's event loop. */
const run = promisify(execFile);
const sh = (args: string[]) => execFileSync(args[0]!, args.slice(1), { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

function frames(acc: { buf: Buffer }, chunk: Buffer): Buffer[] {
  acc.buf = Buffer.concat([acc.buf, chunk]);
  const out: Buffer[] = [];
  while (acc.buf.length >= 8 && acc.buf.length >= acc.buf.readUInt16BE(2)) {
    const len = acc.buf.readUInt16BE(2);
    out.push(Buffer.from(acc.buf.subarray(0, len)));
    acc.buf = acc.buf.subarray(len);
  }
  return out;
}

function print(step: string, dir: string, wire: Buffer): void {
  let what: string;
  try {
    const m = decodeMessage(wire);
    what = m.type === "multipartRequest" || m.type === "multipartReply" ? `${m.type}/${m.body.kind}` : m.type;
  } catch (err) {
    what = `undecodable: ${(err as Error).message}`;
  }
  process.stdout.write(`${step}\t${dir}\t${what}\t${wire.toString("hex")}\n`);
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A proxy to OVS's passive port that logs every message under the current step. */
async function proxy(ovsPort: number): Promise<{ port: number; step: { name: string }; close(): void }> {
  const step = { name: "" };
  const srv = net.createServer((client) => {
    const up = net.connect(ovsPort, "127.0.0.1");
    const fromClient = { buf: Buffer.alloc(0) };
    const fromOvs = { buf: Buffer.alloc(0) };
    client.on("data", (c: Buffer) => {
      for (const f of frames(fromClient, c)) print(step.name, "ofctl->ovs", f);
      up.write(c);
    });
    up.on("data", (c: Buffer) => {
      for (const f of frames(fromOvs, c)) print(step.name, "ovs->ofctl", f);
      client.write(c);
    });
    client.on("close", () => up.destroy());
    up.on("close", () => client.destroy());
    client.on("error", () => up.destroy());
    up.on("error", () => client.destroy());
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return { port: (srv.address() as net.AddressInfo).port, step, close: () => srv.close() };
}

const OFCTL_STEPS: Array<[string, string[]]> = [
  ["show", ["show"]],
  ["dump-desc", ["dump-desc"]],
  ["dump-tables", ["dump-tables"]],
  ["dump-aggregate", ["dump-aggregate"]],
  ["dump-ports-desc", ["dump-ports-desc"]],
  ["get-frags", ["get-frags"]],
  ["set-frags", ["set-frags", "drop"]],
  ["probe", ["probe"]],
  ["add-group", ["add-group", "group_id=5,type=all,bucket=output:1,bucket=output:2"]],
  ["add-meter", ["add-meter", "meter=2,kbps,band=type=drop,rate=500"]],
  ["packet-out", ["packet-out", "in_port=controller,packet=ffffffffffff00000000000108060001080006040001000000000001c0a80001000000000000c0a80002,actions=output:1"]],
  ["bundle-add-flow", ["--bundle", "add-flow", "priority=7,ip,nw_dst=10.7.0.1,actions=output:1"]],
  ["dump-table-features", ["dump-table-features"]],
  // TABLE_DESC is OpenFlow 1.4: ovs-ofctl refuses it under -O OpenFlow13 without sending anything.
  ["dump-table-desc", ["dump-table-desc"]],
];

async function captureOfctl(): Promise<void> {
  const ovsPort = await freePort();
  sh(["ovs-vsctl", "set-controller", BR, `ptcp:${ovsPort}:127.0.0.1`]);
  await new Promise((r) => setTimeout(r, 500));
  const p = await proxy(ovsPort);
  try {
    for (const [name, args] of OFCTL_STEPS) {
      p.step.name = name;
      const [cmd, ...rest] = args;
      const argv = cmd === "--bundle" ? ["-O", "OpenFlow13", "--bundle", rest[0]!, `tcp:127.0.0.1:${p.port}`, ...rest.slice(1)] : ["-O", "OpenFlow13", cmd!, `tcp:127.0.0.1:${p.port}`, ...rest];
      try {
        await run("ovs-ofctl", argv, { timeout: 10_000 });
      } catch (err) {
        process.stdout.write(`${name}\tovs-ofctl failed\t${String((err as { stderr?: string }).stderr ?? err).trim().split("\n")[0]}\n`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    p.close();
  }
}

/** The bridge's active connection to us: handshake, then scripted requests; logs what OVS sends. */
async function captureController(): Promise<void> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const step = { name: "ctl-handshake" };
  sh(["ovs-vsctl", "set-controller", BR, `tcp:127.0.0.1:${(srv.address() as net.AddressInfo).port}`]);
  const sock: net.Socket = await new Promise((r) => srv.once("connection", r));
  const stream = new MessageStream();
  const acc = { buf: Buffer.alloc(0) };
  sock.on("data", (c: Buffer) => {
    for (const f of frames(acc, c)) print(step.name, "ovs->ctl", f);
    for (const m of stream.push(c).messages) if (m.type === "echoRequest") sock.write(encodeMessage({ type: "echoReply", xid: m.xid, data: m.data }));
  });
  const send = (m: OfMessage) => {
    const wire = encodeMessage(m);
    print(step.name, "ctl->ovs", wire);
    sock.write(wire);
  };
  const pause = (ms = 300) => new Promise((r) => setTimeout(r, ms));
  send({ type: "hello", xid: 1, versions: [4] });
  await pause();
  step.name = "packet-in";
  const frame = Buffer.from("ffffffffffff00000000000108060001080006040001000000000001c0a80001000000000000c0a80002", "hex");
  send({ type: "packetOut", xid: 2, inPort: 0xfffffffd, actions: [{ type: "output", port: 0xfffffffd, maxLen: 0xffff }], data: frame });
  await pause();
  step.name = "flow-removed";
  send({ type: "flowMod", xid: 3, command: "add", priority: 9, flags: 1, cookie: 0x77n, match: { ethType: 0x0800, ipv4Dst: "10.9.0.9" }, instructions: [] });
  send({ type: "flowMod", xid: 4, command: "deleteStrict", priority: 9, tableId: 0, match: { ethType: 0x0800, ipv4Dst: "10.9.0.9" } });
  await pause();
  step.name = "bundle-commit-fails";
  const { bundleControlMessage, OFPBCT, Writer, writeBundleAdd } = await import("../../src/openflow/index.js");
  send(bundleControlMessage(5, { bundleId: 3, ctrlType: OFPBCT.OPEN_REQUEST, flags: 3 }));
  const w = new Writer(256);
  // Output to a group that does not exist: accepted when added, refused at commit.
  writeBundleAdd(w, 6, 3, 3, { type: "flowMod", xid: 6, command: "add", priority: 9, match: { ethType: 0x0800 }, instructions: [{ type: "applyActions", actions: [{ type: "group", groupId: 99 }] }] });
  print(step.name, "ctl->ovs", w.result());
  sock.write(Buffer.from(w.result()));
  send(bundleControlMessage(7, { bundleId: 3, ctrlType: OFPBCT.COMMIT_REQUEST, flags: 3 }));
  await pause();
  step.name = "port-status";
  sh(["ovs-vsctl", "add-port", BR, "fmbcapp9", "--", "set", "interface", "fmbcapp9", "type=internal", "ofport_request=9"]);
  await pause(800);
  sh(["ovs-vsctl", "--if-exists", "del-port", BR, "fmbcapp9"]);
  await pause(800);
  sock.destroy();
  srv.close();
}

sh(["ovs-vsctl", "--if-exists", "del-br", BR, "--", "add-br", BR, "--", "set", "bridge", BR, "datapath_type=netdev", "protocols=OpenFlow13", "fail-mode=secure"]);
sh(["ovs-vsctl", "add-port", BR, "fmbcapp1", "--", "set", "interface", "fmbcapp1", "type=internal", "ofport_request=1"]);
sh(["ovs-vsctl", "add-port", BR, "fmbcapp2", "--", "set", "interface", "fmbcapp2", "type=internal", "ofport_request=2"]);
try {
  await captureOfctl();
  await captureController();
} finally {
  sh(["ovs-vsctl", "--if-exists", "del-br", BR]);
}
