// The shell of controller roles under an etcd election (role-plan.ts holds
// the rules): on each election event, each new switch, and once a second as a
// safety net, it plans and sends the ROLE_REQUESTs. Elected, it first loads the
// state in force from the store (`takeOver`), then claims MASTER: each switch
// that was not ours owes its set-up, so the set-up and every part's rules
// (redirects, overlay) go out as the claims are taken. Deposed, it claims SLAVE
// at once, which stops every change to switches before any answer comes back.
import type { Leadership } from "../../src/etcd/leadership.js";
import type { Log } from "./connection.js";
import { planRoles } from "./role-plan.js";
import type { RoleService } from "./roles.js";

export interface ElectionRolesDeps {
  leadership: Leadership;
  roles: RoleService;
  /** Elected: load the state in force (and fence the writes by the new term). Resolves before MASTER is claimed. */
  takeOver(term: bigint): Promise<void>;
  /** While standby, once a tick: refresh the view served to readers (optional). */
  refresh?(): Promise<void>;
  log: Log;
  tickMs?: number;
}

export class ElectionRoles {
  /** Leads, and the state in force is loaded: the API may change things. */
  private inCharge = false;
  private leaderTerm: bigint | undefined;
  private lastGeneration = 0n;
  private timer: NodeJS.Timeout | undefined;
  private readonly off: Array<() => void> = [];
  private takingOver: Promise<void> | undefined;
  private ticking = false;

  constructor(private readonly d: ElectionRolesDeps) {}

  /** True once elected and loaded; false at once when deposed. */
  leads(): boolean {
    return this.inCharge && this.d.leadership.isLeader();
  }

  /** The leader's advertised address (undefined: nobody leads, as last observed). */
  leader(): string | undefined {
    return this.d.leadership.leader();
  }

  term(): bigint | undefined {
    return this.inCharge ? this.d.leadership.term() : undefined;
  }

  async start(): Promise<void> {
    const l = this.d.leadership;
    this.off.push(
      l.on("elected", (term) => void this.elected(term)),
      l.on("deposed", (reason) => {
        this.inCharge = false;
        this.d.log("warn", `no longer the leading controller (${reason}): claiming SLAVE from every switch`);
        this.plan();
      }),
      l.on("leader", () => void this.learnLeaderTerm()),
    );
    await this.learnLeaderTerm();
    this.timer = setInterval(() => void this.tick(), this.d.tickMs ?? 1_000);
    this.timer.unref();
  }

  /** Plans and sends now (a switch finished its handshake, an election event). */
  plan(): void {
    const leading = this.leads();
    const p = planRoles({ leading, term: leading ? this.d.leadership.term() : undefined, leaderTerm: this.leaderTerm }, this.d.roles.switchViews(), this.lastGeneration);
    if (p.want.generationId > this.lastGeneration) this.lastGeneration = p.want.generationId;
    this.d.roles.follow(p);
  }

  stop(): void {
    clearInterval(this.timer);
    for (const off of this.off.splice(0)) off();
  }

  private async elected(term: bigint): Promise<void> {
    if (this.takingOver) await this.takingOver;
    if (this.inCharge && this.d.leadership.term() === term) return; // the tick and the event both saw it: loaded once
    this.takingOver = (async () => {
      const started = Date.now();
      this.leaderTerm = term;
      try {
        await this.d.takeOver(term);
      } catch (err) {
        // Not loaded: leading without the state in force would wipe redirects from the switches. Try again next tick.
        this.d.log("error", `elected (term ${term}) but the state could not be loaded: ${(err as Error).message}`);
        return;
      }
      if (!this.d.leadership.isLeader() || this.d.leadership.term() !== term) return; // deposed meanwhile
      this.inCharge = true;
      this.d.log("info", `leading controller from term ${term}: state loaded in ${Date.now() - started} ms, claiming MASTER (generation ${term})`);
      this.plan();
    })();
    try {
      await this.takingOver;
    } finally {
      this.takingOver = undefined;
    }
  }

  private async learnLeaderTerm(): Promise<void> {
    try {
      const t = await this.d.leadership.leaderTerm();
      if (t !== undefined) this.leaderTerm = t;
    } catch (err) {
      this.d.log("warn", `the leader's term could not be read: ${(err as Error).message}`);
    }
    this.plan();
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const l = this.d.leadership;
      if (l.isLeader() && !this.inCharge && !this.takingOver) {
        const term = l.term();
        if (term !== undefined) await this.elected(term);
      } else if (!l.isLeader()) {
        await this.learnLeaderTerm();
        await this.d.refresh?.().catch((err: Error) => this.d.log("warn", `standby view not refreshed: ${err.message}`));
        return;
      }
      this.plan();
    } finally {
      this.ticking = false;
    }
  }
}
