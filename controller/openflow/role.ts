// Controller roles (OpenFlow 1.3.5 §6.3.7) as pure state: the role this
// controller claims and its generation counter (RoleState), and one switch's
// view of us (SwitchRole): what it confirmed, what we asked, whether it
// refused. The shells (handshake.ts, roles.ts, session.ts) do the sending;
// SwitchSession.send consults `mayChange` before any change leaves.
import { bundleControlOf, isBundleAdd, OFPBCT, OFPBRC, OFPET, OFPRRFC } from "../../src/openflow/index.js";
import type { AsyncConfig, ErrorMessage, ExperimenterMessage, OfMessage, RoleReply } from "../../src/openflow/messages.js";

export type Role = "equal" | "master" | "slave";
export const ROLES: readonly Role[] = ["equal", "master", "slave"];

/** A ROLE_REQUEST's content. */
export interface RoleAsk {
  role: Role;
  generationId: bigint;
}

/**
 * The controller's claimed role and generation counter (kept in memory only).
 * Master and slave claims each take a new, larger generation id; an equal
 * claim reuses the last one (the switch ignores it for equal).
 */
export class RoleState {
  private current: Role = "equal";
  private generation = 0n;

  get role(): Role {
    return this.current;
  }

  get generationId(): bigint {
    return this.generation;
  }

  /** The request for `role`, or why not: an explicit generation must be larger than the last one used. */
  claim(role: Role, explicit?: bigint): RoleAsk | { error: string } {
    if (role === "equal") {
      if (explicit !== undefined) return { error: "generationId applies to master and slave only" };
      this.current = role;
      return { role, generationId: this.generation };
    }
    if (explicit !== undefined && explicit <= this.generation) return { error: `generationId must increase: ${explicit} is not above the last one used, ${this.generation}` };
    this.generation = explicit ?? this.generation + 1n;
    this.current = role;
    return { role, generationId: this.generation };
  }

  /** The role an election decided (openflow/role-plan.ts): the election, not this counter, keeps generations growing. */
  follow(ask: RoleAsk): void {
    this.current = ask.role;
    this.generation = ask.generationId;
  }

  /** A claim no switch took: the controller keeps `role` (the generation stays used). */
  revert(role: Role): void {
    this.current = role;
  }

  /** What a new switch session is asked for; undefined for equal (every new connection starts equal). */
  askForNewSwitch(): RoleAsk | undefined {
    return this.current === "equal" ? undefined : { role: this.current, generationId: this.generation };
  }
}

/** Every OFPR (packet-in), OFPPR (port status), OFPRR (flow removed) reason. */
const ALL_PACKET_IN = 0b111;
const ALL_PORT_STATUS = 0b111;
const ALL_FLOW_REMOVED = 0b1111;

/**
 * SET_ASYNC for every role at once ([master/equal, slave]): a slave hears
 * port status only, no packet-in or flow-removed (what §6.3.7 leaves it).
 */
export const ASYNC_CONFIG: AsyncConfig = {
  packetInMask: [ALL_PACKET_IN, 0],
  portStatusMask: [ALL_PORT_STATUS, ALL_PORT_STATUS],
  flowRemovedMask: [ALL_FLOW_REMOVED, 0],
};

/** Messages a slave may not send (§6.3.7): they change the switch. */
export function changesSwitch(m: OfMessage): boolean {
  switch (m.type) {
    case "flowMod":
    case "groupMod":
    case "meterMod":
    case "portMod":
    case "tableMod":
    case "packetOut":
      return true;
    case "multipartRequest":
      return m.body.kind === "tableFeatures" && m.body.tables.length > 0;
    case "experimenter":
      // A bundle's messages change the switch once committed.
      return isBundleAdd(m) || bundleControlOf(m)?.ctrlType === OFPBCT.COMMIT_REQUEST;
    default:
      return false;
  }
}

export type RoleOutcome =
  | { status: "taken"; role: Role; generationId: bigint }
  | { status: "refused"; reason: "stale" | "unsupported" | "bad-role" | "error"; message: string };

/** Why a switch refused a role request, from its ERROR. */
export function refusalOf(e: ErrorMessage, ask: RoleAsk): RoleOutcome {
  if (e.errType === OFPET.ROLE_REQUEST_FAILED) {
    if (e.code === OFPRRFC.STALE) return { status: "refused", reason: "stale", message: `generation ${ask.generationId} is stale: a controller used a larger one` };
    if (e.code === OFPRRFC.UNSUP) return { status: "refused", reason: "unsupported", message: "the switch does not support roles" };
    if (e.code === OFPRRFC.BAD_ROLE) return { status: "refused", reason: "bad-role", message: `the switch refused role ${ask.role}` };
  }
  return { status: "refused", reason: "error", message: `OpenFlow error type ${e.errType} code ${e.code}` };
}

/** True for the ERROR a switch answers a slave's change with. */
export function isSlaveError(e: ErrorMessage): boolean {
  return e.errType === OFPET.BAD_REQUEST && e.code === OFPBRC.IS_SLAVE;
}

/** ONF's experimenter id, and its role-status message: OpenFlow 1.4's ROLE_STATUS, which Open vSwitch sends to 1.3 controllers. */
const ONF_EXPERIMENTER = 0x4f4e4600;
const ONFT_ROLE_STATUS = 1911;
const WIRE_ROLES: Record<number, Role> = { 1: "equal", 2: "master", 3: "slave" };

/** The role a switch says it holds us in now (another controller became master...), from ONF's role status; undefined for any other message. */
export function roleStatusOf(m: ExperimenterMessage): { role: Role; generationId: bigint } | undefined {
  if (m.experimenter !== ONF_EXPERIMENTER || m.expType !== ONFT_ROLE_STATUS || m.data.length < 16) return undefined;
  const role = WIRE_ROLES[m.data.readUInt32BE(0)];
  return role ? { role, generationId: m.data.readBigUInt64BE(8) } : undefined;
}

function roleOfReply(r: RoleReply): Role {
  return r.role === "noChange" ? "equal" : r.role;
}

/**
 * One switch's view of this controller. A new connection is equal; `asked`
 * is the request in flight; `refused` the last refusal (cleared by the next
 * success). The switch is ours to change when it holds us master or equal,
 * no slave claim is under way, and it did not refuse our last claim (a stale
 * generation means another controller is master now).
 */
export class SwitchRole {
  role: Role = "equal";
  generationId: bigint | undefined;
  asked: RoleAsk | undefined;
  refused: Extract<RoleOutcome, { status: "refused" }> | undefined;
  /** The request the switch refused last (cleared by the next success). */
  refusedAsk: RoleAsk | undefined;
  /** The controller's set-up (wipe, table-miss, the parts' rules) is owed: skipped or undone while we were not in charge. */
  owesSetUp = false;

  get mayChange(): boolean {
    return this.role !== "slave" && this.asked?.role !== "slave" && !this.refused;
  }

  ask(a: RoleAsk): void {
    this.asked = a;
  }

  /** The switch answered the request in flight. Returns the outcome, and whether the set-up is now due. */
  answered(reply: RoleReply | ErrorMessage): { outcome: RoleOutcome; setUpDue: boolean } {
    const ask = this.asked ?? { role: this.role, generationId: this.generationId ?? 0n };
    this.asked = undefined;
    if (reply.type === "error") {
      const outcome = refusalOf(reply, ask) as Extract<RoleOutcome, { status: "refused" }>;
      this.refused = outcome;
      this.refusedAsk = ask;
      this.owesSetUp = true;
      return { outcome, setUpDue: false };
    }
    this.role = roleOfReply(reply);
    this.generationId = reply.generationId;
    this.refused = undefined;
    this.refusedAsk = undefined;
    if (!this.mayChange) this.owesSetUp = true;
    const setUpDue = this.mayChange && this.owesSetUp;
    if (setUpDue) this.owesSetUp = false;
    return { outcome: { status: "taken", role: this.role, generationId: reply.generationId }, setUpDue };
  }

  /** The switch says another controller took over (IS_SLAVE, or a role status): we are slave there. */
  demoted(generationId?: bigint): void {
    this.role = "slave";
    if (generationId !== undefined) this.generationId = generationId;
    this.owesSetUp = true;
  }
}
