// A scripted OpenFlow 1.3 switch over a real TCP socket, for controller
// tests without OVS: it answers the handshake, PORT_DESC, BARRIER and FLOW
// multiparts and ONF bundles (as OVS does: a refused ADD leaves the bundle
// open, a commit applies all), records what it receives, and delivers LLDP
// packet-outs to a wired peer as PACKET_INs (so discovery sees links).
import { connect, type Socket } from "node:net";
import { type ConnectionOptions, connect as tlsConnect } from "node:tls";
import { bundleAddOf, bundleControlMessage, bundleControlOf, decodeMessage, encodeMessage, MessageStream, OFPBCT } from "../../src/openflow/index.js";
import type { FlowMod, OfMessage, PortDesc } from "../../src/openflow/messages.js";

export class FakeSwitch {
  readonly received: OfMessage[] = [];
  readonly flows: FlowMod[] = [];
  readonly peers = new Map<number, { sw: FakeSwitch; port: number }>();
  socket!: Socket;
  /** When true the switch stops answering ECHO_REQUESTs (a hung peer). */
  silent = false;
  /** When true the switch answers each BARRIER_REQUEST with an OpenFlow error (a switch refusing a change). */
  refuseBarriers = false;
  /** When true the switch speaks no ONF bundle (answers BAD_REQUEST/BAD_EXPERIMENTER, as a non-OVS switch may). */
  refuseBundles = false;
  /** A FLOW_MOD this returns an OpenFlow error [type, code] for is refused (in a bundle: when added). */
  refuseFlow: ((m: FlowMod) => [number, number] | undefined) | undefined;
  /** Open bundles by id: the FLOW_MODs added so far. */
  readonly bundles = new Map<number, FlowMod[]>();
  /** MULTIPART kinds the switch never answers (a switch too slow for the controller's timeout). */
  readonly ignoreMultipart = new Set<string>();
  /** The largest generation id a master/slave ROLE_REQUEST carried; a smaller one is refused as stale. */
  maxGeneration: bigint | undefined;
  private readonly stream = new MessageStream();

  constructor(
    readonly dpid: bigint,
    readonly portNos: number[],
  ) {}

  ports(): PortDesc[] {
    return this.portNos.map((n) => ({
      portNo: n,
      hwAddr: `02:00:00:00:${(Number(this.dpid) & 0xff).toString(16).padStart(2, "0")}:${n.toString(16).padStart(2, "0")}`,
      name: `p${n}`,
      config: 0,
      state: 0,
      curr: 0,
      advertised: 0,
      supported: 0,
      peer: 0,
      currSpeed: 0,
      maxSpeed: 0,
    }));
  }

  static wire(a: FakeSwitch, pa: number, b: FakeSwitch, pb: number): void {
    a.peers.set(pa, { sw: b, port: pb });
    b.peers.set(pb, { sw: a, port: pa });
  }

  /** `tls`: connect over TLS with these options (OpenFlow over TLS, as OVS's ssl: targets). */
  async connect(port: number, tls?: ConnectionOptions): Promise<void> {
    this.socket = tls ? tlsConnect({ ...tls, port, host: "127.0.0.1" }) : connect(port, "127.0.0.1");
    this.socket.on("data", (chunk: Buffer) => {
      const batch = this.stream.push(chunk);
      for (const m of batch.messages) this.onMessage(m);
    });
    this.socket.on("error", () => {});
    await new Promise<void>((resolve, reject) => {
      this.socket.once(tls ? "secureConnect" : "connect", () => resolve());
      this.socket.once("close", () => reject(new Error("closed before connecting")));
    });
    this.send({ type: "hello", xid: 1, versions: [4] });
  }

  send(m: OfMessage): void {
    this.socket.write(encodeMessage(m));
  }

  close(): void {
    this.socket?.destroy();
  }

  count(type: OfMessage["type"]): number {
    return this.received.filter((m) => m.type === type).length;
  }

  private onMessage(m: OfMessage): void {
    this.received.push(m);
    switch (m.type) {
      case "featuresRequest":
        this.send({ type: "featuresReply", xid: m.xid, datapathId: this.dpid, nBuffers: 0, nTables: 254, auxiliaryId: 0, capabilities: 0 });
        return;
      case "echoRequest":
        if (!this.silent) this.send({ type: "echoReply", xid: m.xid, data: m.data });
        return;
      case "barrierRequest":
        // OFPET_BAD_REQUEST / OFPBRC_EPERM when refusing.
        this.send(this.refuseBarriers ? { type: "error", xid: m.xid, errType: 1, code: 5, data: Buffer.alloc(0) } : { type: "barrierReply", xid: m.xid });
        return;
      case "experimenter":
        this.onExperimenter(m);
        return;
      case "flowMod": {
        const refusal = this.refuseFlow?.(m);
        if (refusal) {
          this.send({ type: "error", xid: m.xid, errType: refusal[0], code: refusal[1], data: encodeMessage(m).subarray(0, 64) });
          return;
        }
        if (m.command === "add") this.flows.push(m);
        else if (m.command === "delete") {
          const keep = this.flows.filter((f) => m.cookieMask === undefined || m.cookieMask === 0n || ((f.cookie ?? 0n) & m.cookieMask) !== ((m.cookie ?? 0n) & m.cookieMask));
          this.flows.splice(0, this.flows.length, ...keep);
        }
        return;
      }
      case "roleRequest":
        if (m.role !== "equal" && m.role !== "noChange") {
          if (this.maxGeneration !== undefined && m.generationId < this.maxGeneration) {
            // OFPET_ROLE_REQUEST_FAILED / OFPRRFC_STALE
            this.send({ type: "error", xid: m.xid, errType: 11, code: 0, data: Buffer.alloc(0) });
            return;
          }
          this.maxGeneration = m.generationId;
        }
        this.send({ type: "roleReply", xid: m.xid, role: m.role, generationId: this.maxGeneration ?? 0n });
        return;
      case "multipartRequest":
        if (this.ignoreMultipart.has(m.body.kind)) return;
        if (m.body.kind === "portStats") {
          const zero = { rxPackets: 0n, txPackets: 0n, rxBytes: 0n, txBytes: 0n, rxDropped: 0n, txDropped: 0n, rxErrors: 0n, txErrors: 0n, rxFrameErr: 0n, rxOverErr: 0n, rxCrcErr: 0n, collisions: 0n };
          const stats = this.ports().map((p) => ({ portNo: p.portNo, ...zero, durationSec: 1, durationNsec: 0 }));
          this.send({ type: "multipartReply", xid: m.xid, flags: 0, body: { kind: "portStats", stats } });
        } else if (m.body.kind === "portDesc") {
          // Split in two replies to exercise REPLY_MORE collection.
          const ports = this.ports();
          this.send({ type: "multipartReply", xid: m.xid, flags: 1, body: { kind: "portDesc", ports: ports.slice(0, 1) } });
          this.send({ type: "multipartReply", xid: m.xid, flags: 0, body: { kind: "portDesc", ports: ports.slice(1) } });
        } else if (m.body.kind === "flow") {
          const stats = this.flows.map((f) => ({
            tableId: 0,
            durationSec: 1,
            durationNsec: 0,
            priority: f.priority ?? 0x8000,
            idleTimeout: f.idleTimeout ?? 0,
            hardTimeout: f.hardTimeout ?? 0,
            flags: 0,
            cookie: f.cookie ?? 0n,
            packetCount: 0n,
            byteCount: 0n,
            match: f.match ?? {},
            instructions: f.instructions ?? [],
          }));
          this.send({ type: "multipartReply", xid: m.xid, flags: 0, body: { kind: "flow", stats } });
        }
        return;
      case "packetOut": {
        for (const a of m.actions) {
          if (a.type !== "output") continue;
          const peer = this.peers.get(a.port);
          if (peer && m.data && m.data.length > 14 && m.data.readUInt16BE(12) === 0x88cc) {
            peer.sw.send({ type: "packetIn", xid: 0, bufferId: 0xffffffff, totalLen: m.data.length, reason: 0, tableId: 0, cookie: 0n, match: { inPort: peer.port }, data: m.data });
          }
        }
        return;
      }
      default:
        return;
    }
  }

  private onExperimenter(m: Extract<OfMessage, { type: "experimenter" }>): void {
    const control = bundleControlOf(m);
    const add = bundleAddOf(m);
    if (this.refuseBundles || (!control && !add)) {
      // OFPET_BAD_REQUEST / OFPBRC_BAD_EXPERIMENTER
      this.send({ type: "error", xid: m.xid, errType: 1, code: 3, data: encodeMessage(m).subarray(0, 64) });
      return;
    }
    if (add) {
      const inner = decodeMessage(add.message);
      if (inner.type !== "flowMod") return;
      const refusal = this.refuseFlow?.(inner);
      if (refusal) this.send({ type: "error", xid: m.xid, errType: refusal[0], code: refusal[1], data: encodeMessage(m).subarray(0, 64) });
      else (this.bundles.get(add.bundleId) ?? this.bundles.set(add.bundleId, []).get(add.bundleId)!).push(inner);
      return;
    }
    if (!control) return;
    const reply = (ctrlType: number) => this.send(bundleControlMessage(m.xid, { bundleId: control.bundleId, ctrlType, flags: 0 }));
    if (control.ctrlType === OFPBCT.OPEN_REQUEST) {
      this.bundles.set(control.bundleId, []);
      reply(OFPBCT.OPEN_REPLY);
    } else if (control.ctrlType === OFPBCT.COMMIT_REQUEST) {
      for (const f of this.bundles.get(control.bundleId) ?? []) if (f.command === "add") this.flows.push(f);
      this.bundles.delete(control.bundleId);
      reply(OFPBCT.COMMIT_REPLY);
    } else if (control.ctrlType === OFPBCT.DISCARD_REQUEST) {
      this.bundles.delete(control.bundleId);
      reply(OFPBCT.DISCARD_REPLY);
    }
  }
}
