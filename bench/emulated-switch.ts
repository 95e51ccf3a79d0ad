// An emulated OpenFlow 1.3 switch for benchmarks (cbench-style): it answers the controller's handshake
// and housekeeping requests with our codec, then keeps a window of PACKET_INs in flight and counts
// the FLOW_MOD / PACKET_OUT replies. Replies are recognised by their header byte, not fully decoded,
// so the emulator spends little CPU beside the controller it measures.
import net from "node:net";
import {
  decodeMessage,
  echoReplyFor,
  encodeMessage,
  encodeMessages,
  errorFor,
  MessageFramer,
  OFP_NO_BUFFER,
  OFPT,
  type OfMessage,
  OfDecodeError,
  type PortDesc,
} from "../src/openflow/index.js";

const N_PORTS = 4;
const ETH_LLDP = 0x88cc;

export interface EmulatedSwitchOptions {
  host: string;
  port: number;
  dpid: bigint;
  /** Distinct hosts (MACs) behind this switch, spread over ports 1..4. */
  hosts?: number;
}

/** The ports we report in PORT_DESC replies. */
function ports(dpid: bigint): PortDesc[] {
  return Array.from({ length: N_PORTS }, (_, i) => ({
    portNo: i + 1,
    hwAddr: macFor(dpid, 0xff00 + i),
    name: `eth${i + 1}`,
    config: 0,
    state: 4, // OFPPS_LIVE
    curr: 0x840,
    advertised: 0,
    supported: 0,
    peer: 0,
    currSpeed: 10_000_000,
    maxSpeed: 10_000_000,
  }));
}

function macFor(dpid: bigint, host: number): string {
  const sw = Number(dpid & 0xffffn);
  const b = [0x02, (sw >> 8) & 0xff, sw & 0xff, (host >> 16) & 0xff, (host >> 8) & 0xff, host & 0xff];
  return b.map((x) => x.toString(16).padStart(2, "0")).join(":");
}

/** A 60-byte IPv4/UDP frame from host `src` to host `dst` (valid headers, zero checksum as UDP allows). */
function udpFrame(dpid: bigint, src: number, dst: number): Buffer {
  const f = Buffer.alloc(60);
  const mac = (h: number) => Buffer.from(macFor(dpid, h).replaceAll(":", ""), "hex");
  mac(dst).copy(f, 0);
  mac(src).copy(f, 6);
  f.writeUInt16BE(0x0800, 12);
  f[14] = 0x45;
  f.writeUInt16BE(46, 16); // IPv4 total length
  f[22] = 64; // TTL
  f[23] = 17; // UDP
  const ip = (h: number) => ((10 << 24) | (1 << 16) | (((h >> 8) & 0xff) << 8) | (h & 0xff)) >>> 0; // 10.1.x.y
  f.writeUInt32BE(ip(src), 26);
  f.writeUInt32BE(ip(dst), 30);
  let sum = 0;
  for (let i = 14; i < 34; i += 2) sum += f.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  f.writeUInt16BE(~sum & 0xffff, 24);
  f.writeUInt16BE(1024 + (src % 1000), 34);
  f.writeUInt16BE(5000, 36);
  f.writeUInt16BE(26, 38);
  return f;
}

export class EmulatedSwitch {
  readonly dpid: bigint;
  private readonly socket: net.Socket;
  private readonly framer = new MessageFramer();
  private readonly packetIns: Buffer[];
  private next = 0;
  private sent = 0;
  private window = 0;
  private lastReplyAt = 0;
  /** Counters since the last resetCounters(). */
  flowMods = 0;
  packetOuts = 0;
  packetInsSent = 0;
  /** ERROR messages we had to send back for requests we could not decode. */
  errorsSent = 0;
  handshaken: Promise<void>;
  handshakeDone = false;
  private markHandshaken!: () => void;
  closed = false;

  constructor(opts: EmulatedSwitchOptions) {
    this.dpid = opts.dpid;
    const hosts = opts.hosts ?? 100;
    // cbench-like traffic: host h talks to host h+1; after one round every destination is known.
    this.packetIns = Array.from({ length: hosts }, (_, h) =>
      encodeMessage({
        type: "packetIn",
        xid: 0,
        bufferId: OFP_NO_BUFFER,
        totalLen: 60,
        reason: 0,
        tableId: 0,
        cookie: 0n,
        match: { inPort: (h % N_PORTS) + 1 },
        data: udpFrame(opts.dpid, h, (h + 1) % hosts),
      }),
    );
    this.handshaken = new Promise((resolve) => {
      this.markHandshaken = resolve;
    });
    this.socket = net.connect({ host: opts.host, port: opts.port, noDelay: true });
    this.socket.on("connect", () => this.socket.write(encodeMessage({ type: "hello", xid: 1, versions: [4] })));
    this.socket.on("data", (chunk) => this.onData(chunk));
    this.socket.on("error", () => {});
    this.socket.on("close", () => {
      this.closed = true;
    });
  }

  /** Resolves once the TCP connection is open (rejects after `timeoutMs`). */
  connected(timeoutMs = 10_000): Promise<void> {
    if (this.socket.readyState === "open") return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`switch ${this.dpid} did not connect`)), timeoutMs);
      this.socket.once("connect", () => {
        clearTimeout(t);
        resolve();
      });
      this.socket.once("error", (e) => {
        clearTimeout(t);
        reject(e);
      });
    });
  }

  /** Starts (window > 0) or stops (0) the PACKET_IN pump, keeping about `window` PACKET_INs unanswered. */
  pump(window: number): void {
    this.window = window;
    this.lastReplyAt = Date.now();
    this.refill();
  }

  resetCounters(): void {
    this.flowMods = 0;
    this.packetOuts = 0;
    this.packetInsSent = 0;
  }

  /** PACKET_INs answered so far: each gets a FLOW_MOD and/or a PACKET_OUT. */
  get answered(): number {
    return Math.max(this.flowMods, this.packetOuts);
  }

  /** Unanswered PACKET_INs; if nothing came back for a while, count the window as lost so the pump goes on. */
  tick(now: number, stallMs: number): void {
    if (this.window > 0 && now - this.lastReplyAt > stallMs) {
      this.sent = this.answeredTotal;
      this.lastReplyAt = now;
      this.refill();
    }
  }

  close(): void {
    this.window = 0;
    this.socket.destroy();
  }

  private answeredTotal = 0;

  private refill(): void {
    if (this.window === 0 || this.closed) return;
    const want = this.window - (this.sent - this.answeredTotal);
    if (want <= 0) return;
    const batch: Buffer[] = [];
    for (let i = 0; i < want; i++) {
      batch.push(this.packetIns[this.next]!);
      this.next = (this.next + 1) % this.packetIns.length;
    }
    this.sent += want;
    this.packetInsSent += want;
    this.socket.write(batch.length === 1 ? batch[0]! : Buffer.concat(batch));
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.framer.push(chunk);
    } catch (err) {
      this.socket.end(encodeMessage(errorFor(err)));
      return;
    }
    let fm = 0;
    let po = 0;
    for (const f of frames) {
      const type = f[1];
      if (type === OFPT.FLOW_MOD) fm++;
      else if (type === OFPT.PACKET_OUT) {
        if (!isLldpPacketOut(f)) po++;
      } else this.onControl(f);
    }
    if (fm || po) {
      const before = Math.max(this.flowMods, this.packetOuts);
      this.flowMods += fm;
      this.packetOuts += po;
      this.answeredTotal += Math.max(this.flowMods, this.packetOuts) - before;
      this.lastReplyAt = Date.now();
      this.refill();
    }
  }

  private onControl(frame: Buffer): void {
    let m: OfMessage;
    try {
      m = decodeMessage(frame);
    } catch (err) {
      if (!(err instanceof OfDecodeError)) throw err;
      this.errorsSent++;
      this.socket.write(encodeMessage(errorFor(err, frame)));
      return;
    }
    const reply = this.replyTo(m);
    if (reply.length) this.socket.write(encodeMessages(reply));
  }

  private replyTo(m: OfMessage): OfMessage[] {
    switch (m.type) {
      case "featuresRequest":
        this.handshakeDone = true;
        this.markHandshaken();
        return [{ type: "featuresReply", xid: m.xid, datapathId: this.dpid, nBuffers: 0, nTables: 254, auxiliaryId: 0, capabilities: 0x4f }];
      case "echoRequest":
        return [echoReplyFor(m)];
      case "barrierRequest":
        return [{ type: "barrierReply", xid: m.xid }];
      case "getConfigRequest":
        return [{ type: "getConfigReply", xid: m.xid, flags: 0, missSendLen: 0xffff }];
      case "multipartRequest":
        switch (m.body.kind) {
          case "portDesc":
            return [{ type: "multipartReply", xid: m.xid, flags: 0, body: { kind: "portDesc", ports: ports(this.dpid) } }];
          case "desc":
            return [
              {
                type: "multipartReply",
                xid: m.xid,
                flags: 0,
                body: { kind: "desc", mfrDesc: "FlexiMigrate", hwDesc: "emulated switch", swDesc: "bench", serialNum: String(this.dpid), dpDesc: "cbench-style" },
              },
            ];
          case "flow":
            return [{ type: "multipartReply", xid: m.xid, flags: 0, body: { kind: "flow", stats: [] } }];
          case "aggregate":
            return [{ type: "multipartReply", xid: m.xid, flags: 0, body: { kind: "aggregate", packetCount: 0n, byteCount: 0n, flowCount: 0 } }];
          case "table":
            return [{ type: "multipartReply", xid: m.xid, flags: 0, body: { kind: "table", stats: [] } }];
          case "portStats":
            return [{ type: "multipartReply", xid: m.xid, flags: 0, body: { kind: "portStats", stats: [] } }];
          default: // groups, meters, queues, table features...: not emulated
            return [{ type: "error", xid: m.xid, errType: 1, code: 2, data: encodeMessage(m).subarray(0, 64) }];
        }
      default:
        return []; // hello, setConfig, groupMod, meterMod, errors...: nothing to answer
    }
  }
}

/** True for a PACKET_OUT carrying an LLDP frame (topology discovery, not an answer to our PACKET_IN). */
function isLldpPacketOut(f: Buffer): boolean {
  if (f.length < 24) return false;
  const dataAt = 24 + f.readUInt16BE(16);
  return f.length >= dataAt + 14 && f.readUInt16BE(dataAt + 12) === ETH_LLDP;
}
