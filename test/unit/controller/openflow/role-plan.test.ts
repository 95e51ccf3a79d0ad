// The election's role planner: the leader claims MASTER at its term, any other
// controller SLAVE at the leader's, a switch already holding us as wanted (or
// with a request in flight, or refusing that very claim) gets nothing.
import { describe, expect, it } from "vitest";
import { generationOf, planRoles, type SwitchRoleView } from "../../../../controller/openflow/role-plan.js";

const sw = (dpid: string, rest: Partial<SwitchRoleView> = {}): SwitchRoleView => ({ dpid, role: "equal", ...rest });

describe("planRoles", () => {
  it("the leader claims MASTER with its term as generation id from every switch not holding it so", () => {
    const plan = planRoles({ leading: true, term: 41n, leaderTerm: 41n }, [sw("a"), sw("b", { role: "slave", generationId: 7n }), sw("c", { role: "master", generationId: 41n })]);
    expect(plan.want).toEqual({ role: "master", generationId: 41n });
    expect(plan.requests).toEqual([
      { dpid: "a", ask: { role: "master", generationId: 41n } },
      { dpid: "b", ask: { role: "master", generationId: 41n } },
    ]);
  });

  it("a standby claims SLAVE at the leader's term, never above it", () => {
    const plan = planRoles({ leading: false, leaderTerm: 41n }, [sw("a"), sw("b", { role: "slave", generationId: 41n })], 90n);
    expect(plan.want).toEqual({ role: "slave", generationId: 41n });
    expect(plan.requests).toEqual([{ dpid: "a", ask: { role: "slave", generationId: 41n } }]);
  });

  it("a deposed leader claims SLAVE at once, at its old term while the next leader is unknown", () => {
    const plan = planRoles({ leading: false, leaderTerm: 41n }, [sw("a", { role: "master", generationId: 41n })]);
    expect(plan.requests).toEqual([{ dpid: "a", ask: { role: "slave", generationId: 41n } }]);
  });

  it("with no leader known, a standby claims SLAVE at the largest generation it used or a switch reported", () => {
    expect(planRoles({ leading: false }, [sw("a", { role: "slave", generationId: 12n }), sw("b")], 5n).requests).toEqual([{ dpid: "b", ask: { role: "slave", generationId: 12n } }]);
    expect(planRoles({ leading: false }, [sw("a")]).want).toEqual({ role: "slave", generationId: 0n });
  });

  it("leading is not enough without a term: it stays slave", () => {
    expect(planRoles({ leading: true }, [sw("a")]).want.role).toBe("slave");
  });

  it("asks nothing of a switch with a request in flight, or that refused this very claim", () => {
    const want = { role: "master" as const, generationId: 50n };
    const plan = planRoles({ leading: true, term: 50n, leaderTerm: 50n }, [
      sw("a", { asked: { role: "slave", generationId: 41n } }),
      sw("b", { role: "slave", generationId: 60n, refusedAsk: want }),
      sw("c", { role: "slave", generationId: 41n, refusedAsk: { role: "master", generationId: 41n } }),
    ]);
    expect(plan.requests).toEqual([{ dpid: "c", ask: want }]);
  });

  it("a slave already held at a newer leader's generation is left as it is", () => {
    expect(planRoles({ leading: false, leaderTerm: 41n }, [sw("a", { role: "slave", generationId: 55n })]).requests).toEqual([]);
  });

  it("a later term always yields a larger generation id", () => {
    expect(generationOf(7n)).toBe(7n);
    expect(generationOf(2n ** 62n) > generationOf(2n ** 61n)).toBe(true);
    expect(generationOf(-1n)).toBe(0n);
    expect(generationOf(2n ** 70n)).toBe(2n ** 64n - 1n);
  });
});
