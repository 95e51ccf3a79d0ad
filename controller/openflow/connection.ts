// One switch's OpenFlow 1.3 session: HELLO/FEATURES handshake, echo
// keepalive bookkeeping, xid-matched requests (single replies, MULTIPART
// collections, BARRIER), and outgoing messages batched into one socket write
// per tick so pipelined FLOW_MODs and busy PACKET_IN handling stay cheap.
import type { Socket } from "node:net";
import {
  echoReplyFor,
  MessageStream,
  negotiateVersion,
  OFP_VERSION,
  OFPET,
  OFPHFC,
  OFPMPF_REPLY_MORE,
  Writer,
  writeMessage,
} from "../../src/openflow/index.js";
import type {
  ErrorMessage,
  FeaturesReply,
  MultipartReplyBody,
  MultipartRequestBody,
  OfMessage,
  PortDesc,
} from "../../src/openflow/messages.js";

export type Log = (level: "info" | "warn" | "error", msg: string) => void;

/** Messages a switch sends without being asked, handed to the controller. */
export type AsyncMessage = Extract<OfMessage, { type: "packetIn" | "portStatus" | "flowRemoved" | "error" }>;

export interface ConnectionHandlers {
  ready(conn: SwitchConnection): void;
  message(conn: SwitchConnection, msg: AsyncMessage): void;
  closed(conn: SwitchConnection, reason: string): void;
}

export class OpenFlowError extends Error {
  constructor(readonly error: ErrorMessage) {
    super(`switch answered OpenFlow error type ${error.errType} code ${error.code}`);
    this.name = "OpenFlowError";
  }
}

interface Pending {
  resolve(m: OfMessage | MultipartReplyBody[]): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
  parts?: MultipartReplyBody[];
}

/** "0000000000000001": sixteen lower-case hex digits, as ovs-ofctl prints it. */
export function formatDpid(id: bigint): string {
  return id.toString(16).padStart(16, "0");
}

export class SwitchConnection {
  dpid: string | undefined;
  features: FeaturesReply | undefined;
  readonly ports = new Map<number, PortDesc>();
  /** Epoch ms of the last byte received: the keepalive sweep reads it. */
  lastHeard = Date.now();
  echoOutstanding = false;
  readonly remote: string;
  private readonly stream = new MessageStream();
  private readonly out = new Writer(1024);
  private flushScheduled = false;
  private readonly pending = new Map<number, Pending>();
  private nextXid = 1;
  private state: "hello" | "features" | "ready" | "closed" = "hello";
  private closeReason = "";

  constructor(
    private readonly socket: Socket,
    private readonly handlers: ConnectionHandlers,
    private readonly log: Log,
    private readonly requestTimeoutMs = 10_000,
  ) {
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (err) => {
      this.closeReason ||= err.message;
    });
    socket.on("close", () => this.onClose());
    this.send({ type: "hello", xid: this.xid(), versions: [OFP_VERSION] });
  }

  get isReady(): boolean {
    return this.state === "ready";
  }

  /** Queues a message (xid 0 gets a fresh one); throws at once if it cannot be encoded. Returns the xid. */
  send(msg: OfMessage): number {
    if (this.state === "closed") throw new Error(`switch ${this.dpid ?? this.remote} is disconnected`);
    if (msg.xid === 0) msg.xid = this.xid();
    const start = this.out.pos;
    try {
      writeMessage(this.out, msg);
    } catch (err) {
      this.out.pos = start;
      throw err;
    }
    this.scheduleFlush();
    return msg.xid;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    process.nextTick(() => this.flush());
  }

  /** Queues already-encoded messages (a validated batch), written with the rest of this tick's output. */
  sendBytes(bytes: Buffer): void {
    if (this.state === "closed") throw new Error(`switch ${this.dpid ?? this.remote} is disconnected`);
    this.out.bytes(bytes);
    this.scheduleFlush();
  }

  /** Sends a request and resolves with the reply carrying its xid; an OpenFlow ERROR rejects. */
  request<T extends OfMessage>(msg: OfMessage): Promise<T> {
    return new Promise<OfMessage | MultipartReplyBody[]>((resolve, reject) => {
      const xid = this.send(msg);
      this.track(xid, { resolve, reject }, false);
    }) as Promise<T>;
  }

  /** Sends a MULTIPART request and resolves with every reply body (until REPLY_MORE clears). */
  multipart(body: MultipartRequestBody): Promise<MultipartReplyBody[]> {
    return new Promise<OfMessage | MultipartReplyBody[]>((resolve, reject) => {
      const xid = this.send({ type: "multipartRequest", xid: 0, body });
      this.track(xid, { resolve, reject }, true);
    }) as Promise<MultipartReplyBody[]>;
  }

  /** Resolves once the switch has processed every message sent before it. */
  async barrier(): Promise<void> {
    await this.request({ type: "barrierRequest", xid: 0 });
  }

  close(reason = "closed by controller"): void {
    if (this.state === "closed") return;
    this.closeReason ||= reason;
    this.flush();
    this.socket.end();
    this.socket.destroySoon?.();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  /** Kills the socket now (keepalive timeout: the peer is gone). */
  destroy(reason: string): void {
    this.closeReason ||= reason;
    this.socket.destroy();
  }

  private xid(): number {
    const x = this.nextXid;
    this.nextXid = this.nextXid >= 0xfffffffe ? 1 : this.nextXid + 1;
    return x;
  }

  private track(xid: number, p: Omit<Pending, "timer" | "parts">, multipart: boolean): void {
    const timer = setTimeout(() => {
      this.pending.delete(xid);
      p.reject(new Error(`switch ${this.dpid ?? this.remote} did not answer xid ${xid} within ${this.requestTimeoutMs} ms`));
    }, this.requestTimeoutMs);
    this.pending.set(xid, { ...p, timer, parts: multipart ? [] : undefined });
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.out.pos === 0 || this.socket.destroyed) {
      this.out.pos = 0;
      return;
    }
    // One copy per tick: the writer's buffer is reused for the next batch.
    const bytes = Buffer.from(this.out.buf.subarray(0, this.out.pos));
    this.out.pos = 0;
    this.socket.write(bytes);
  }

  private onData(chunk: Buffer): void {
    this.lastHeard = Date.now();
    this.echoOutstanding = false;
    let batch: ReturnType<MessageStream["push"]>;
    try {
      batch = this.stream.push(chunk);
    } catch (err) {
      this.log("error", `switch ${this.dpid ?? this.remote}: ${(err as Error).message}`);
      this.destroy("undecodable stream");
      return;
    }
    for (const m of batch.messages) {
      try {
        this.onMessage(m);
      } catch (err) {
        // A handler bug or a message we cannot act on must not take the controller down.
        this.log("error", `switch ${this.dpid ?? this.remote}: handling ${m.type} failed: ${(err as Error).stack ?? err}`);
      }
    }
    for (let i = 0; i < batch.replies.length; i++) {
      this.log("warn", `switch ${this.dpid ?? this.remote}: malformed message: ${batch.problems[i]?.message}`);
      this.sendQuietly(batch.replies[i] as ErrorMessage);
    }
    if (batch.close) this.close("malformed framing");
  }

  private sendQuietly(m: OfMessage): void {
    try {
      this.send(m);
    } catch {
      // closed meanwhile
    }
  }

  private onMessage(m: OfMessage): void {
    switch (m.type) {
      case "hello": {
        if (this.state !== "hello") return;
        const version = negotiateVersion([OFP_VERSION], m);
        if (version !== OFP_VERSION) {
          this.sendQuietly({ type: "error", xid: m.xid, errType: OFPET.HELLO_FAILED, code: OFPHFC.INCOMPATIBLE, data: Buffer.from("OpenFlow 1.3 only") });
          this.close("no common OpenFlow version");
          return;
        }
        this.state = "features";
        this.request<FeaturesReply>({ type: "featuresRequest", xid: 0 }).then(
          (f) => this.onFeatures(f),
          (err: Error) => this.destroy(`handshake failed: ${err.message}`),
        );
        return;
      }
      case "echoRequest":
        this.sendQuietly(echoReplyFor(m));
        return;
      case "echoReply":
        return;
      case "packetIn":
      case "portStatus":
      case "flowRemoved":
        if (m.type === "portStatus") this.trackPort(m.reason, m.port);
        if (this.state === "ready") this.handlers.message(this, m);
        return;
      case "error": {
        const p = this.pending.get(m.xid);
        if (p) {
          this.settle(m.xid, p);
          p.reject(new OpenFlowError(m));
        } else if (this.state === "ready") {
          this.handlers.message(this, m);
        }
        return;
      }
      case "multipartReply": {
        const p = this.pending.get(m.xid);
        if (!p) return;
        if (p.parts) p.parts.push(m.body);
        if ((m.flags & OFPMPF_REPLY_MORE) === 0) {
          this.settle(m.xid, p);
          p.resolve(p.parts ?? [m.body]);
        }
        return;
      }
      default: {
        const p = this.pending.get(m.xid);
        if (p) {
          this.settle(m.xid, p);
          p.resolve(m);
        } else if (m.type !== "barrierReply") {
          this.log("warn", `switch ${this.dpid ?? this.remote}: ignoring unexpected ${m.type}`);
        }
      }
    }
  }

  private settle(xid: number, p: Pending): void {
    clearTimeout(p.timer);
    this.pending.delete(xid);
  }

  private onFeatures(f: FeaturesReply): void {
    if (this.state !== "features") return;
    this.features = f;
    this.dpid = formatDpid(f.datapathId);
    this.state = "ready";
    this.handlers.ready(this);
  }

  /** Keeps `ports` current from PORT_STATUS so LLDP and flooding use live ports. */
  trackPort(reason: number, port: PortDesc): void {
    if (reason === 1) this.ports.delete(port.portNo);
    else this.ports.set(port.portNo, port);
  }

  private onClose(): void {
    const wasReady = this.state === "ready";
    this.state = "closed";
    for (const [xid, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error(`switch ${this.dpid ?? this.remote} disconnected`));
      this.pending.delete(xid);
    }
    if (wasReady) this.handlers.closed(this, this.closeReason || "connection closed");
  }
}
