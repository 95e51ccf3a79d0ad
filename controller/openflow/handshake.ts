// One switch's OpenFlow 1.3 handshake and set-up as a pure state machine:
// it takes the switch's messages and answers the messages to send, and the
// connection shell (connection.ts) does the I/O. States, in order:
//
//   hello     our HELLO is out; waiting for the switch's (version negotiation)
//   features  FEATURES_REQUEST out; its reply names the datapath
//   role      only when the controller claims master or slave (role.ts):
//             SET_ASYNC and ROLE_REQUEST out; a refusal (stale generation)
//             is recorded, not fatal
//   ports     set-up out (flows and groups wiped, miss_send_len, table-miss
//             rule) unless we may not change the switch (slave, refused:
//             then it is owed), and PORT_DESC asked; collecting its parts
//   barrier   BARRIER out; its reply means the switch applied the set-up
//   ready     done: `ready` carries what the session needs (dpid, features, ports)
//   failed    the session must close (no common version, a set-up request refused)
//
// Messages that are not the handshake's (echo, PACKET_IN, errors of other
// xids...) are the shell's: `receive` returns `consumed: false` for them.
import { OFP_VERSION, OFPCML_NO_BUFFER, OFPET, OFPG_ALL, OFPHFC, OFPMPF_REPLY_MORE, OFPP_CONTROLLER, OFPPR, OFPTT_ALL, negotiateVersion } from "../../src/openflow/index.js";
import type { FeaturesReply, OfMessage, PortDesc } from "../../src/openflow/messages.js";
import { COOKIE_TABLE_MISS, PRIORITY_TABLE_MISS } from "./cookies.js";
import { ASYNC_CONFIG, type RoleAsk, SwitchRole } from "./role.js";

export type HandshakePhase = "hello" | "features" | "role" | "ports" | "barrier" | "ready" | "failed";

/** What a finished handshake knows about the switch. */
export interface SwitchIdentity {
  dpid: string;
  features: FeaturesReply;
  ports: PortDesc[];
  /** How the switch holds this controller after the handshake. */
  role: SwitchRole;
}

export interface HandshakeStep {
  /** Messages to send, in order. */
  send: OfMessage[];
  /** False when the message is not part of the handshake (the shell handles it). */
  consumed: boolean;
  /** Set once, when the handshake finished. */
  ready?: SwitchIdentity;
  /** Set when the session must end, with why. */
  close?: string;
}

/** "0000000000000001": sixteen lower-case hex digits, as ovs-ofctl prints it. */
export function formatDpid(id: bigint): string {
  return id.toString(16).padStart(16, "0");
}

/**
 * What every new session sends once it knows the datapath: a fresh table
 * (whatever an earlier controller or session left), then our table-miss rule,
 * so every packet no rule claims comes to the controller whole.
 */
export function setUpMessages(): OfMessage[] {
  return [
    { type: "flowMod", xid: 0, command: "delete", tableId: OFPTT_ALL },
    { type: "groupMod", xid: 0, command: "delete", groupType: "all", groupId: OFPG_ALL, buckets: [] },
    { type: "setConfig", xid: 0, flags: 0, missSendLen: OFPCML_NO_BUFFER },
    {
      type: "flowMod",
      xid: 0,
      command: "add",
      cookie: COOKIE_TABLE_MISS,
      priority: PRIORITY_TABLE_MISS,
      match: {},
      instructions: [{ type: "applyActions", actions: [{ type: "output", port: OFPP_CONTROLLER, maxLen: OFPCML_NO_BUFFER }] }],
    },
  ];
}

export class Handshake {
  private current: HandshakePhase = "hello";
  /** The xid of the request whose reply moves the handshake on. */
  private awaiting = 0;
  private features: FeaturesReply | undefined;
  private readonly ports = new Map<number, PortDesc>();
  private readonly role = new SwitchRole();

  /**
   * `nextXid` hands out the session's xids, so handshake requests never clash with later ones;
   * `roleAsk` is the role the controller claims when the datapath is known (none: equal).
   */
  constructor(
    private readonly nextXid: () => number,
    private readonly roleAsk: () => RoleAsk | undefined = () => undefined,
  ) {}

  get phase(): HandshakePhase {
    return this.current;
  }

  /** The first message of a session: our HELLO. */
  start(): OfMessage[] {
    return [{ type: "hello", xid: this.nextXid(), versions: [OFP_VERSION] }];
  }

  receive(m: OfMessage): HandshakeStep {
    if (m.type === "hello") return this.current === "hello" ? this.onHello(m) : step([]);
    if (m.type === "portStatus" && this.current === "barrier") {
      // The ports are read already: a change before the session starts must not be lost.
      if (m.reason === OFPPR.DELETE) this.ports.delete(m.port.portNo);
      else this.ports.set(m.port.portNo, m.port);
      return step([]);
    }
    if (this.awaiting === 0 || m.xid !== this.awaiting) return { send: [], consumed: false };
    if (this.current === "role" && (m.type === "roleReply" || m.type === "error")) {
      this.role.answered(m);
      return this.askPorts();
    }
    if (m.type === "error") return this.fail(`switch refused the ${this.current} step: OpenFlow error type ${m.errType} code ${m.code}`);
    if (this.current === "features" && m.type === "featuresReply") {
      this.features = m;
      const claim = this.roleAsk();
      if (!claim) return this.askPorts();
      this.current = "role";
      this.role.ask(claim);
      const async: OfMessage = { type: "setAsync", xid: this.nextXid(), ...ASYNC_CONFIG };
      return step([async, this.request({ type: "roleRequest", xid: 0, role: claim.role, generationId: claim.generationId })]);
    }
    if (this.current === "ports" && m.type === "multipartReply") {
      if (m.body.kind === "portDesc") for (const p of m.body.ports) this.ports.set(p.portNo, p);
      if ((m.flags & OFPMPF_REPLY_MORE) !== 0) return step([]);
      this.current = "barrier";
      return step([this.request({ type: "barrierRequest", xid: 0 })]);
    }
    if (this.current === "barrier" && m.type === "barrierReply" && this.features) {
      this.current = "ready";
      this.awaiting = 0;
      return { ...step([]), ready: { dpid: formatDpid(this.features.datapathId), features: this.features, ports: [...this.ports.values()], role: this.role } };
    }
    return { send: [], consumed: false };
  }

  /** The set-up (when the switch is ours to change) and PORT_DESC. */
  private askPorts(): HandshakeStep {
    this.current = "ports";
    const ask: OfMessage = { type: "multipartRequest", xid: 0, body: { kind: "portDesc" } };
    const setUp = this.role.mayChange ? setUpMessages() : [];
    if (!this.role.mayChange) this.role.owesSetUp = true;
    const send = [...setUp, ask];
    for (const out of send) out.xid = this.nextXid();
    this.awaiting = ask.xid;
    return step(send);
  }

  private onHello(m: Extract<OfMessage, { type: "hello" }>): HandshakeStep {
    if (negotiateVersion([OFP_VERSION], m) !== OFP_VERSION) {
      const refusal: OfMessage = { type: "error", xid: m.xid, errType: OFPET.HELLO_FAILED, code: OFPHFC.INCOMPATIBLE, data: Buffer.from("OpenFlow 1.3 only") };
      return { ...this.fail("no common OpenFlow version"), send: [refusal] };
    }
    this.current = "features";
    return step([this.request({ type: "featuresRequest", xid: 0 })]);
  }

  private request(m: OfMessage): OfMessage {
    m.xid = this.nextXid();
    this.awaiting = m.xid;
    return m;
  }

  private fail(reason: string): HandshakeStep {
    this.current = "failed";
    this.awaiting = 0;
    return { send: [], consumed: true, close: reason };
  }
}

function step(send: OfMessage[]): HandshakeStep {
  return { send, consumed: true };
}
