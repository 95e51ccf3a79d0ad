// A switch's OpenFlow session once its handshake finished: the only form in
// which the controller's parts see a switch, so `dpid` and `features` are
// always there. It matches requests to replies by xid (single replies,
// MULTIPART collections, BARRIER); the connection (connection.ts) owns the
// socket and hands every reply here.
import { OFPMPF_REPLY_MORE, OFPPR } from "../../src/openflow/index.js";
import type { ErrorMessage, FeaturesReply, MultipartReplyBody, MultipartRequestBody, OfMessage, PortDesc } from "../../src/openflow/messages.js";
import type { SwitchIdentity } from "./handshake.js";

/** What a session needs from its connection: queued output and closing. */
export interface SessionLink {
  /** Queues a message (xid 0 gets a fresh one); throws when closed or unencodable. Returns the xid. */
  send(msg: OfMessage): number;
  sendBytes(bytes: Buffer): void;
  close(reason: string): void;
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

export class SwitchSession {
  readonly dpid: string;
  readonly features: FeaturesReply;
  /** Live ports: PORT_DESC at set-up, then kept current from PORT_STATUS. */
  readonly ports = new Map<number, PortDesc>();
  private readonly pending = new Map<number, Pending>();

  constructor(
    identity: SwitchIdentity,
    readonly remote: string,
    private readonly link: SessionLink,
    private readonly requestTimeoutMs = 10_000,
  ) {
    this.dpid = identity.dpid;
    this.features = identity.features;
    for (const p of identity.ports) this.ports.set(p.portNo, p);
  }

  /** Queues a message (xid 0 gets a fresh one); throws at once if it cannot be encoded. Returns the xid. */
  send(msg: OfMessage): number {
    return this.link.send(msg);
  }

  /** Queues already-encoded messages (a validated batch), written with the rest of this tick's output. */
  sendBytes(bytes: Buffer): void {
    this.link.sendBytes(bytes);
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
    this.link.close(reason);
  }

  /** Keeps `ports` current from PORT_STATUS so LLDP and flooding use live ports. */
  trackPort(reason: number, port: PortDesc): void {
    if (reason === OFPPR.DELETE) this.ports.delete(port.portNo);
    else this.ports.set(port.portNo, port);
  }

  /** Hands a reply to the request waiting for its xid; false when none waits (the message is unsolicited). */
  settleReply(m: OfMessage): boolean {
    const p = this.pending.get(m.xid);
    if (!p) return false;
    if (m.type === "error") {
      this.settle(m.xid, p);
      p.reject(new OpenFlowError(m));
    } else if (m.type === "multipartReply") {
      if (p.parts) p.parts.push(m.body);
      if ((m.flags & OFPMPF_REPLY_MORE) === 0) {
        this.settle(m.xid, p);
        p.resolve(p.parts ?? [m.body]);
      }
    } else {
      this.settle(m.xid, p);
      p.resolve(m);
    }
    return true;
  }

  /** The connection is gone: every request still waiting fails. */
  disconnected(): void {
    for (const [xid, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error(`switch ${this.dpid} disconnected`));
      this.pending.delete(xid);
    }
  }

  private track(xid: number, p: Omit<Pending, "timer" | "parts">, multipart: boolean): void {
    const timer = setTimeout(() => {
      this.pending.delete(xid);
      p.reject(new Error(`switch ${this.dpid} did not answer xid ${xid} within ${this.requestTimeoutMs} ms`));
    }, this.requestTimeoutMs);
    this.pending.set(xid, { ...p, timer, parts: multipart ? [] : undefined });
  }

  private settle(xid: number, p: Pending): void {
    clearTimeout(p.timer);
    this.pending.delete(xid);
  }
}
