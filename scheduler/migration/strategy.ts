// Which migration strategy a move uses (pure): the one asked for when both
// agents can run it; with "auto", post-copy where both can (the shortest
// freeze), else pre-copy, else stop-and-copy. The reason says why.
import type { AgentCapabilities, StrategyName } from "../../src/api-types/agent.js";

export const AUTO_ORDER = ["postcopy", "precopy", "stopcopy"] as const;

export type StrategyChoice = { strategy: Exclude<StrategyName, "auto">; reason: string } | { strategy: null; reason: string };

function availability(caps: AgentCapabilities | undefined, s: string): { ok: boolean; reason?: string } {
  const a = caps?.strategies?.[s];
  if (!a) return { ok: false, reason: "not offered" };
  return a.ok ? { ok: true } : { ok: false, reason: a.reason };
}

/**
 * A workload with its own network keeps its TCP connections only where both
 * agents' CRIU dumps and restores established connections (each agent's
 * probe at its start says so). Answers the problem, or undefined.
 */
export function tcpProblem(source: { node: string; capabilities?: AgentCapabilities }, destination: { node: string; capabilities?: AgentCapabilities }): string | undefined {
  const problems = [source, destination].flatMap(({ node, capabilities }) => {
    const tcp = capabilities?.criu?.tcpEstablished;
    if (!tcp) return [`${node}: its agent does not report whether CRIU can dump TCP connections`];
    return tcp.ok ? [] : [`${node}: CRIU cannot dump established TCP connections (${tcp.reason ?? "its probe failed"})`];
  });
  return problems.length ? `the workload's TCP connections cannot move: ${problems.join("; ")}` : undefined;
}

export function chooseStrategy(
  source: { node: string; capabilities?: AgentCapabilities },
  destination: { node: string; capabilities?: AgentCapabilities },
  requested: StrategyName = "auto",
): StrategyChoice {
  const candidates = requested === "auto" ? AUTO_ORDER : [requested];
  const passed: string[] = [];
  for (const s of candidates) {
    const a = availability(source.capabilities, s);
    const b = availability(destination.capabilities, s);
    if (a.ok && b.ok) {
      const why = passed.length ? `; ${passed.join("; ")}` : "";
      return { strategy: s, reason: `${s} available on ${source.node} and ${destination.node}${requested === "auto" ? " (auto prefers post-copy)" : " (asked for)"}${why}` };
    }
    const where = [!a.ok ? `${source.node}: ${a.reason}` : "", !b.ok ? `${destination.node}: ${b.reason}` : ""].filter(Boolean).join(", ");
    passed.push(`${s} unavailable (${where})`);
  }
  return { strategy: null, reason: `no strategy both agents can run: ${passed.join("; ")}` };
}
