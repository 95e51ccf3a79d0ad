import { describe, expect, it } from "vitest";
import type { AgentCapabilities } from "../../../../src/api-types/agent.js";
import { chooseStrategy } from "../../../../scheduler/migration/strategy.js";

const caps = (strategies: AgentCapabilities["strategies"]): AgentCapabilities => ({
  criu: { present: true, checkOk: true, features: {} },
  docker: { present: false },
  cgroupCpu: { ok: true },
  strategies,
});
const ALL = { stopcopy: { ok: true }, precopy: { ok: true }, postcopy: { ok: true } } as const;

describe("chooseStrategy", () => {
  it("auto: post-copy where both agents have it", () => {
    expect(chooseStrategy({ node: "a", capabilities: caps(ALL) }, { node: "b", capabilities: caps(ALL) })).toEqual({
      strategy: "postcopy",
      reason: "postcopy available on a and b (auto prefers post-copy)",
    });
  });

  it("auto: falls back, saying why post-copy was not used", () => {
    const noLazy = caps({ ...ALL, postcopy: { ok: false, reason: "userfaultfd missing" } });
    const c = chooseStrategy({ node: "a", capabilities: caps(ALL) }, { node: "b", capabilities: noLazy });
    expect(c).toEqual({ strategy: "precopy", reason: "precopy available on a and b (auto prefers post-copy); postcopy unavailable (b: userfaultfd missing)" });
  });

  it("none in common: no strategy, with every reason", () => {
    const none = caps({});
    const c = chooseStrategy({ node: "a", capabilities: none }, { node: "b", capabilities: caps(ALL) });
    expect(c.strategy).toBeNull();
    expect(c.reason).toBe(
      "no strategy both agents can run: postcopy unavailable (a: not offered); precopy unavailable (a: not offered); stopcopy unavailable (a: not offered)",
    );
  });
});
