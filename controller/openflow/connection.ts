// One switch's TCP connection: framing, the handshake (handshake.ts, a pure
// state machine this shell feeds), echo replies and keepalive bookkeeping,
// and outgoing messages batched into one socket write per tick so pipelined
// FLOW_MODs and busy PACKET_IN handling stay cheap. Once the handshake
// finished it hands its SwitchSession out; before that the switch is nobody's.
import type { Socket } from "node:net";
import {
  bundleControlOf,
  echoReplyFor,
  encodeMessage,
  errorFor,
  MessageStream,
  OFPBRC,
  OFPET,
  OfDecodeError,
  Writer,
  writeMessage,
} from "../../src/openflow/index.js";
import type { ErrorMessage, OfMessage } from "../../src/openflow/messages.js";
import { Handshake } from "./handshake.js";
import { isSlaveError, type RoleAsk, roleStatusOf } from "./role.js";
import { type SessionLink, SwitchSession } from "./session.js";

/** From this size on, sendBytes writes a buffer to the socket itself rather than through the queue. */
const LARGE_WRITE = 64 * 1024;

export type Log = (level: "info" | "warn" | "error", msg: string) => void;

/** Messages a switch sends without being asked, handed to the controller. */
export type AsyncMessage = Extract<OfMessage, { type: "packetIn" | "portStatus" | "flowRemoved" | "error" }>;

export interface ConnectionHandlers {
  /** The handshake and set-up finished: the session is the switch from now on. */
  ready(session: SwitchSession): void;
  message(session: SwitchSession, msg: AsyncMessage): void;
  closed(session: SwitchSession, reason: string): void;
  /** The role the controller claims from a new switch (none: equal); asked when its datapath is known. */
  roleAsk?(): RoleAsk | undefined;
}

export class SwitchConnection implements SessionLink {
  /** Epoch ms of the last byte received: the keepalive sweep reads it. */
  lastHeard = Date.now();
  /** When the switch last answered an ECHO_REQUEST (0: never). */
  lastEchoReplyAt = 0;
  echoOutstanding = false;
  readonly remote: string;
  private readonly stream = new MessageStream();
  private readonly out = new Writer(1024);
  private flushScheduled = false;
  private nextXid = 1;
  private readonly handshake: Handshake;
  private session: SwitchSession | undefined;
  /** Set once the socket is closed or closing: nothing more is sent. */
  closed = false;
  private closeReason = "";
  private readonly handshakeDeadline: NodeJS.Timeout;

  constructor(
    private readonly socket: Socket,
    private readonly handlers: ConnectionHandlers,
    private readonly log: Log,
    private readonly requestTimeoutMs = 10_000,
  ) {
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    this.handshake = new Handshake(
      () => this.xid(),
      () => handlers.roleAsk?.(),
    );
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (err) => {
      this.closeReason ||= err.message;
    });
    socket.on("close", () => this.onClose());
    this.handshakeDeadline = setTimeout(() => this.destroy(`handshake failed: not finished within ${requestTimeoutMs} ms`), requestTimeoutMs);
    this.handshakeDeadline.unref();
    for (const m of this.handshake.start()) this.send(m);
  }

  /** How log lines name this switch: its datapath id once known. */
  get label(): string {
    return this.session?.dpid ?? this.remote;
  }

  send(msg: OfMessage): number {
    if (this.closed) throw new Error(`switch ${this.label} is disconnected`);
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

  sendBytes(bytes: Buffer): void {
    if (this.closed) throw new Error(`switch ${this.label} is disconnected`);
    if (bytes.length >= LARGE_WRITE) {
      // A big batch (thousands of FLOW_MODs) goes to the socket as it is, after what is queued: copying
      // a megabyte into the queue and out again cost more than the encoding.
      this.flush();
      if (!this.socket.destroyed) this.socket.write(bytes);
      return;
    }
    this.out.bytes(bytes);
    this.scheduleFlush();
  }

  reserveXids(n: number): number {
    if (this.nextXid + n > 0xfffffffe) this.nextXid = 1;
    const first = this.nextXid;
    this.nextXid += n;
    return first;
  }

  close(reason = "closed by controller"): void {
    if (this.closed) return;
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

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    process.nextTick(() => this.flush());
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
      this.log("error", `switch ${this.label}: ${(err as Error).message}`);
      this.destroy("undecodable stream");
      return;
    }
    for (const m of batch.messages) {
      try {
        this.onMessage(m);
      } catch (err) {
        // A handler bug or a message we cannot act on must not take the controller down.
        this.log("error", `switch ${this.label}: handling ${m.type} failed: ${(err as Error).stack ?? err}`);
      }
    }
    for (let i = 0; i < batch.replies.length; i++) {
      this.log("warn", `switch ${this.label}: malformed message: ${batch.problems[i]?.message}`);
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
    if (m.type === "echoRequest") {
      this.sendQuietly(echoReplyFor(m));
      return;
    }
    if (m.type === "echoReply") {
      this.lastEchoReplyAt = Date.now();
      return;
    }
    const status = m.type === "experimenter" && this.session ? roleStatusOf(m) : undefined;
    if (status && this.session) {
      this.log("info", `switch ${this.session.dpid} holds this controller as ${status.role} now (generation ${status.generationId})`);
      if (status.role === "slave") this.session.role.demoted(status.generationId);
      return;
    }
    if (m.type === "experimenter" && this.session && bundleControlOf(m)) {
      // Replies to our bundles (flow-bundle.ts): the commit's is awaited; open and discard replies are not.
      this.session.settleReply(m);
      return;
    }
    if (m.type === "experimenter") {
      // We speak no other experimenter extension: answered as when the codec refused these messages.
      const err = new OfDecodeError(OFPET.BAD_REQUEST, OFPBRC.BAD_EXPERIMENTER, `experimenter ${m.experimenter} type ${m.expType} is not supported`);
      this.log("warn", `switch ${this.label}: ${err.message}`);
      this.sendQuietly(errorFor(err, encodeMessage(m)));
      return;
    }
    if (this.session) {
      this.onSessionMessage(this.session, m);
      return;
    }
    const step = this.handshake.receive(m);
    for (const out of step.send) this.sendQuietly(out);
    if (step.close) {
      this.log("warn", `switch ${this.label}: handshake failed: ${step.close}`);
      this.close(step.close);
    } else if (step.ready) {
      clearTimeout(this.handshakeDeadline);
      this.session = new SwitchSession(step.ready, this.remote, this, this.requestTimeoutMs);
      this.handlers.ready(this.session);
    } else if (!step.consumed && m.type === "error") {
      this.log("warn", `switch ${this.label} reported OpenFlow error type ${m.errType} code ${m.code} during its handshake`);
    }
  }

  private onSessionMessage(session: SwitchSession, m: OfMessage): void {
    switch (m.type) {
      case "packetIn":
      case "flowRemoved":
        this.handlers.message(session, m);
        return;
      case "portStatus":
        session.trackPort(m.reason, m.port);
        this.handlers.message(session, m);
        return;
      case "error":
        // The switch refused a change because another controller is master: we are slave there now.
        if (isSlaveError(m) && session.role.role !== "slave") {
          this.log("warn", `switch ${session.dpid} holds this controller as slave now (another controller took over)`);
          session.role.demoted();
        }
        if (!session.settleReply(m)) this.handlers.message(session, m);
        return;
      default:
        if (!session.settleReply(m) && m.type !== "barrierReply" && m.type !== "multipartReply" && m.type !== "hello") {
          this.log("warn", `switch ${session.dpid}: ignoring unexpected ${m.type}`);
        }
    }
  }

  private onClose(): void {
    this.closed = true;
    clearTimeout(this.handshakeDeadline);
    if (!this.session) return;
    this.session.disconnected();
    this.handlers.closed(this.session, this.closeReason || "connection closed");
  }
}
