// A switch's OpenFlow session once its handshake finished: the only form in
// which the controller's parts see a switch, so `dpid` and `features` are
// always there. It matches requests to replies by xid (single replies,
// MULTIPART collections, BARRIER); the connection (connection.ts) owns the
// socket and hands every reply here. `send` is the one place every message
// leaves by: a change (FLOW_MOD, GROUP_MOD, PORT_MOD...) is refused there
// while the switch does not hold this controller master or equal (role.ts).
import { OFPMPF_REPLY_MORE, OFPPR } from "../../src/openflow/index.js";
import type { ErrorMessage, FeaturesReply, FlowMod, MultipartReplyBody, MultipartRequestBody, OfMessage, PortDesc } from "../../src/openflow/messages.js";
import type { SwitchIdentity } from "./handshake.js";
import { changesSwitch, type SwitchRole } from "./role.js";

/** What a session needs from its connection: queued output and closing. */
export interface SessionLink {
  /** Queues a message (xid 0 gets a fresh one); throws when closed or unencodable. Returns the xid. */
  send(msg: OfMessage): number;
  /** Takes ownership of `bytes`: a large buffer is written as it is, not copied. */
  sendBytes(bytes: Buffer): void;
  /** `n` consecutive fresh xids; returns the first. */
  reserveXids(n: number): number;
  close(reason: string): void;
}

export class OpenFlowError extends Error {
  constructor(readonly error: ErrorMessage) {
    super(`switch answered OpenFlow error type ${error.errType} code ${error.code}`);
    this.name = "OpenFlowError";
  }
}

/** A change refused because this controller is not in charge of the switch (slave, or its claim was refused). */
export class NotInChargeError extends Error {
  /** An API route that meets it answers 409. */
  readonly statusCode = 409;
  constructor(dpid: string, role: SwitchRole) {
    const why = role.refused ? `its last role claim was refused (${role.refused.message})` : `it holds this controller as ${role.asked?.role ?? role.role}`;
    super(`switch ${dpid}: this controller may not change it: ${why}; POST /v1/role {"role":"master"} first`);
    this.name = "NotInChargeError";
  }
}

/** The switch did not answer a request in time. */
export class SwitchTimeoutError extends Error {
  constructor(dpid: string, xid: number, ms: number) {
    super(`switch ${dpid} did not answer xid ${xid} within ${ms} ms`);
    this.name = "SwitchTimeoutError";
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
  /** How the switch holds this controller (master, slave, equal) and whether it is ours to change. */
  readonly role: SwitchRole;
  private readonly pending = new Map<number, Pending>();
  /** Changes awaiting their BARRIER in `confirm`: an ERROR with one of these xids is theirs. */
  private readonly watched = new Map<number, (e: ErrorMessage) => void>();
  /** The same for a block of consecutive xids (a bundle of flows), inclusive bounds. */
  private readonly watchedRanges = new Set<{ lo: number; hi: number; fn: (e: ErrorMessage) => void }>();
  private nextBundle = 1;
  /** The switch refused ONF bundles once (not OVS): flows go as plain FLOW_MODs from then on. */
  bundlesRefused = false;
  /** Told how many flows each FLOW_MOD (or bundle) sent adds or changes; the controller's metrics set it. */
  countFlows: (n: number) => void = () => {};

  constructor(
    identity: SwitchIdentity,
    readonly remote: string,
    private readonly link: SessionLink,
    private readonly requestTimeoutMs = 10_000,
  ) {
    this.dpid = identity.dpid;
    this.features = identity.features;
    this.role = identity.role;
    for (const p of identity.ports) this.ports.set(p.portNo, p);
  }

  /**
   * Queues a message (xid 0 gets a fresh one); throws at once if it cannot be encoded, or
   * (NotInChargeError) if it changes the switch and the switch is not ours to change. Returns the xid.
   */
  send(msg: OfMessage): number {
    if (!this.role.mayChange && changesSwitch(msg)) throw new NotInChargeError(this.dpid, this.role);
    const xid = this.link.send(msg);
    if (msg.type === "flowMod" && installs(msg)) this.countFlows(1);
    return xid;
  }

  /** Queues already-encoded changes (a validated batch of FLOW_MODs), written with the rest of this tick's output. */
  sendBytes(bytes: Buffer): void {
    if (!this.role.mayChange) throw new NotInChargeError(this.dpid, this.role);
    this.link.sendBytes(bytes);
  }

  /** `n` consecutive fresh xids (a bundle's messages); returns the first. */
  reserveXids(n: number): number {
    return this.link.reserveXids(n);
  }

  /** A bundle id not used on this connection before. */
  nextBundleId(): number {
    const id = this.nextBundle;
    this.nextBundle = this.nextBundle >= 0xfffffffe ? 1 : this.nextBundle + 1;
    return id;
  }

  /** Calls `fn` with every ERROR whose xid is in [lo, hi] until the returned function is called. */
  watchErrors(lo: number, hi: number, fn: (e: ErrorMessage) => void): () => void {
    const w = { lo, hi, fn };
    this.watchedRanges.add(w);
    return () => this.watchedRanges.delete(w);
  }

  /** Sends already-encoded changes ending in a request with xid `xid` (a BARRIER); resolves with its reply. */
  requestBytes<T extends OfMessage>(bytes: Buffer, xid: number): Promise<T> {
    return new Promise<OfMessage | MultipartReplyBody[]>((resolve, reject) => {
      this.sendBytes(bytes);
      this.track(xid, { resolve, reject }, false);
    }) as Promise<T>;
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

  /**
   * Sends changes that have no reply of their own (PORT_MOD...), then a BARRIER; resolves once the switch
   * applied them all, rejects (OpenFlowError) with the first ERROR the switch answered one of them with.
   */
  async confirm(msgs: OfMessage[]): Promise<void> {
    let failure: ErrorMessage | undefined;
    const xids = msgs.map((m) => this.send({ ...m, xid: 0 }));
    for (const x of xids) this.watched.set(x, (e) => (failure ??= e));
    try {
      await this.barrier();
    } finally {
      for (const x of xids) this.watched.delete(x);
    }
    if (failure) throw new OpenFlowError(failure);
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
    const watcher = m.type === "error" ? this.watched.get(m.xid) : undefined;
    if (watcher && m.type === "error") {
      watcher(m);
      return true;
    }
    if (m.type === "error") {
      for (const w of this.watchedRanges) {
        if (m.xid >= w.lo && m.xid <= w.hi) {
          w.fn(m);
          return true;
        }
      }
    }
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
      p.reject(new SwitchTimeoutError(this.dpid, xid, this.requestTimeoutMs));
    }, this.requestTimeoutMs);
    this.pending.set(xid, { ...p, timer, parts: multipart ? [] : undefined });
  }

  private settle(xid: number, p: Pending): void {
    clearTimeout(p.timer);
    this.pending.delete(xid);
  }
}

/** A FLOW_MOD that adds or changes a flow (not a delete). */
export function installs(m: FlowMod): boolean {
  return m.command === "add" || m.command === "modify" || m.command === "modifyStrict";
}
