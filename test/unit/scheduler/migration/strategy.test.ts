import { describe, expect, it } from "vitest";
import type { AgentCapabilities } from "../../../../src/api-types/agent.js";
import { chooseStrategy, tcpProblem } from "../../../../scheduler/migration/strategy.js";

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

describe("tcpProblem", () => {
  const withTcp = (tcp?: { ok: boolean; reason?: string }): AgentCapabilities => ({ ...caps(ALL), criu: { present: true, checkOk: true, features: {}, ...(tcp && { tcpEstablished: tcp }) } });

  it("none when both agents' probes dumped a TCP connection", () => {
    expect(tcpProblem({ node: "a", capabilities: withTcp({ ok: true }) }, { node: "b", capabilities: withTcp({ ok: true }) })).toBeUndefined();
  });

  it("names each node whose probe failed, or that does not say", () => {
    expect(tcpProblem({ node: "a", capabilities: withTcp({ ok: false, reason: "criu 4.1.1: (00.01) Error (criu/sk-tcp.c)" }) }, { node: "b", capabilities: withTcp() })).toBe(
      "the workload's TCP connections cannot move: a: CRIU cannot dump established TCP connections (criu 4.1.1: (00.01) Error (criu/sk-tcp.c)); b: its agent does not report whether CRIU can dump TCP connections",
    );
  });
});
