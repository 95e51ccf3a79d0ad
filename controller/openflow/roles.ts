// The shell of controller roles (role.ts holds the rules): claims a role from
// every connected switch (SET_ASYNC, then ROLE_REQUEST and its answer), and
// when a switch becomes ours to change again, does the set-up it is owed.
import type { RoleReply } from "../../src/openflow/messages.js";
import type { Log } from "./connection.js";
import type { SwitchRegistry } from "./registry.js";
import { ASYNC_CONFIG, type Role, type RoleAsk, RoleState } from "./role.js";
import type { RolePlan, SwitchRoleView } from "./role-plan.js";
import { OpenFlowError, type SwitchSession } from "./session.js";

export interface SwitchRoleResult {
  dpid: string;
  status: "taken" | "refused" | "failed";
  /** What the switch holds us as now. */
  role: Role;
  generationId?: bigint;
  reason?: string;
  message?: string;
  /** The set-up owed was done (wipe, table-miss, the parts' rules). */
  setUp?: boolean;
}

export interface RoleClaim {
  role: Role;
  generationId: bigint;
  switches: SwitchRoleResult[];
}

export interface RoleServiceDeps {
  registry: SwitchRegistry;
  /** Sends the controller's set-up and the parts' rules to a switch that is ours again; resolves after its BARRIER. */
  setUp(session: SwitchSession): Promise<void>;
  log: Log;
}

export class RoleService {
  readonly state = new RoleState();

  constructor(private readonly d: RoleServiceDeps) {}

  /** Claims `role` from every connected switch. Throws a plain Error when the claim itself is wrong (a generation that does not increase). */
  async claim(role: Role, generationId?: bigint): Promise<RoleClaim> {
    const before = this.state.role;
    const ask = this.state.claim(role, generationId);
    if ("error" in ask) throw new RangeError(ask.error);
    const switches = await Promise.all(this.d.registry.all().map((s) => this.claimOn(s, ask)));
    // Not taken anywhere: the controller keeps the role it had (the generation stays used).
    if (switches.length > 0 && switches.every((s) => s.status !== "taken")) this.state.revert(before);
    return { role: this.state.role, generationId: ask.generationId, switches };
  }

  /** A switch finished its handshake: if the claim changed meanwhile, it is asked again. */
  switchUp(session: SwitchSession): void {
    const want = this.state.role;
    if (session.role.role === want || (want === "equal" && !session.role.refused)) return;
    void this.claimOn(session, { role: want, generationId: this.state.generationId });
  }

  /** Holds the role an election decided and sends the plan's requests (answers arrive later; the next plan looks again). */
  follow(plan: RolePlan): void {
    this.state.follow(plan.want);
    for (const r of plan.requests) {
      const session = this.d.registry.get(r.dpid);
      if (session) void this.claimOn(session, r.ask);
    }
  }

  /** Each connected switch's view of us, as the role planner takes it. */
  switchViews(): SwitchRoleView[] {
    return this.d.registry.all().map((s) => ({
      dpid: s.dpid,
      role: s.role.role,
      ...(s.role.generationId !== undefined && { generationId: s.role.generationId }),
      ...(s.role.asked && { asked: s.role.asked }),
      ...(s.role.refusedAsk && { refusedAsk: s.role.refusedAsk }),
    }));
  }

  view(): RoleClaim {
    return {
      role: this.state.role,
      generationId: this.state.generationId,
      switches: this.d.registry.all().map((s) => ({
        dpid: s.dpid,
        status: s.role.refused ? "refused" : "taken",
        role: s.role.role,
        generationId: s.role.generationId,
        reason: s.role.refused?.reason,
        message: s.role.refused?.message,
      })),
    };
  }

  private async claimOn(session: SwitchSession, ask: RoleAsk): Promise<SwitchRoleResult> {
    const dpid = session.dpid;
    session.role.ask(ask);
    let step: ReturnType<SwitchSession["role"]["answered"]>;
    try {
      session.send({ type: "setAsync", xid: 0, ...ASYNC_CONFIG });
      const reply = await session.request<RoleReply>({ type: "roleRequest", xid: 0, role: ask.role, generationId: ask.generationId });
      step = session.role.answered(reply);
    } catch (err) {
      if (!(err instanceof OpenFlowError)) {
        session.role.asked = undefined;
        return { dpid, status: "failed", role: session.role.role, message: (err as Error).message };
      }
      step = session.role.answered(err.error);
    }
    const o = step.outcome;
    if (o.status === "refused") {
      this.d.log("warn", `switch ${dpid} refused role ${ask.role} (generation ${ask.generationId}): ${o.message}`);
      return { dpid, status: "refused", role: session.role.role, reason: o.reason, message: o.message };
    }
    this.d.log("info", `switch ${dpid} holds this controller as ${o.role} (generation ${o.generationId})`);
    if (!step.setUpDue) return { dpid, status: "taken", role: o.role, generationId: o.generationId };
    try {
      await this.d.setUp(session);
      return { dpid, status: "taken", role: o.role, generationId: o.generationId, setUp: true };
    } catch (err) {
      session.role.owesSetUp = true;
      return { dpid, status: "taken", role: o.role, generationId: o.generationId, setUp: false, message: `set-up failed: ${(err as Error).message}` };
    }
  }
}
