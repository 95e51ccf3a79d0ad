// The election's role shell with a fake election and role service: elected, it
// loads the state first and only then claims MASTER at its term; deposed, it
// claims SLAVE in the same turn (no await between losing the lead and the
// claim that stops changes); a failed load leaves it slave.
import { describe, expect, it } from "vitest";
import { ElectionRoles } from "../../../../controller/openflow/election-roles.js";
import type { RolePlan } from "../../../../controller/openflow/role-plan.js";
import type { RoleService } from "../../../../controller/openflow/roles.js";
import type { Leadership, LeadershipEvents } from "../../../../src/etcd/leadership.js";

function fakeElection() {
  const handlers: { [E in keyof LeadershipEvents]: Array<LeadershipEvents[E]> } = { elected: [], deposed: [], leader: [] };
  const state = { leading: false, term: undefined as bigint | undefined, leaderTerm: undefined as bigint | undefined };
  const leadership: Leadership = {
    name: "controller",
    self: "http://me",
    isLeader: () => state.leading,
    leader: () => (state.leading ? "http://me" : "http://other"),
    term: () => (state.leading ? state.term : undefined),
    leaderTerm: async () => state.leaderTerm,
    fence: () => undefined,
    on(event, handler) {
      (handlers[event] as unknown[]).push(handler);
      return () => {};
    },
    close: async () => {},
    stepDown: async () => {},
  };
  return {
    leadership,
    state,
    elect(term: bigint) {
      Object.assign(state, { leading: true, term, leaderTerm: term });
      for (const h of handlers.elected) h(term);
    },
    depose() {
      state.leading = false;
      for (const h of handlers.deposed) h("lease lost");
    },
  };
}

function fakeRoles(log: string[]) {
  const plans: RolePlan[] = [];
  const roles = {
    switchViews: () => [{ dpid: "00000000000000a1", role: "equal" as const }],
    follow: (p: RolePlan) => {
      plans.push(p);
      log.push(`follow ${p.want.role} ${p.want.generationId}`);
    },
  } as unknown as RoleService;
  return { roles, plans };
}

describe("ElectionRoles", () => {
  it("loads the state before claiming MASTER at its term, and claims SLAVE in the same turn when deposed", async () => {
    const log: string[] = [];
    const e = fakeElection();
    e.state.leaderTerm = 5n;
    const { roles } = fakeRoles(log);
    let release: () => void = () => {};
    const ha = new ElectionRoles({
      leadership: e.leadership,
      roles,
      log: () => {},
      takeOver: (term) => {
        log.push(`takeOver ${term}`);
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
      tickMs: 60_000,
    });
    await ha.start();
    expect(log).toEqual(["follow slave 5"]);
    e.elect(9n);
    await Promise.resolve();
    expect(ha.leads()).toBe(false); // not before the state is loaded
    expect(log.at(-1)).toBe("takeOver 9");
    release();
    await new Promise((r) => setImmediate(r));
    expect(ha.leads()).toBe(true);
    expect(log.at(-1)).toBe("follow master 9");
    e.depose();
    expect(ha.leads()).toBe(false);
    expect(log.at(-1)).toBe("follow slave 9");
    ha.stop();
  });

  it("stays slave when the state cannot be loaded", async () => {
    const log: string[] = [];
    const e = fakeElection();
    const { roles } = fakeRoles(log);
    const ha = new ElectionRoles({ leadership: e.leadership, roles, log: () => {}, takeOver: async () => Promise.reject(new Error("etcd down")), tickMs: 60_000 });
    await ha.start();
    e.elect(4n);
    await new Promise((r) => setImmediate(r));
    expect(ha.leads()).toBe(false);
    expect(log.filter((l) => l.startsWith("follow master"))).toEqual([]);
    ha.stop();
  });
});
