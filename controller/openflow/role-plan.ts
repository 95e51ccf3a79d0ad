// Controller roles decided by an etcd election (Faucet style: pure, the shell
// in ha/leadership.ts sends what it returns). The leader is MASTER of every
// switch with its term as the generation id; any other controller is SLAVE
// with the leader's term (OpenFlow 1.3.5 §6.3.7: a switch refuses a master or
// slave claim whose generation id is below the largest it has seen, so a
// standby must never claim above the leader's, nor a deposed leader claim
// master again). Terms are etcd revisions: they only grow from one leader to
// the next, so a later leader's claim always wins.
import type { Role, RoleAsk } from "./role.js";

/** What the election says about this controller. */
export interface ElectionView {
  leading: boolean;
  /** This controller's term while it leads. */
  term?: bigint;
  /** The leader's term as etcd holds it (this controller's own while it leads); undefined: nobody leads. */
  leaderTerm?: bigint;
}

/** One connected switch as this controller sees it (its SwitchRole). */
export interface SwitchRoleView {
  dpid: string;
  role: Role;
  /** The generation id the switch last confirmed. */
  generationId?: bigint;
  /** A request in flight. */
  asked?: RoleAsk;
  /** The ask the switch refused last (cleared by a success). */
  refusedAsk?: RoleAsk;
}

export interface RolePlan {
  /** The role this controller holds itself in, and asks of a switch that connects. */
  want: RoleAsk;
  /** ROLE_REQUESTs to send now, one per switch that does not hold us as `want`. */
  requests: Array<{ dpid: string; ask: RoleAsk }>;
}

const U64 = (1n << 64n) - 1n;

/** An etcd term as an OpenFlow generation id (u64). Revisions are positive int64s, so this is the identity; clamped for safety. */
export function generationOf(term: bigint): bigint {
  if (term < 0n) return 0n;
  return term > U64 ? U64 : term;
}

const same = (a: RoleAsk | undefined, b: RoleAsk): boolean => a !== undefined && a.role === b.role && a.generationId === b.generationId;

/**
 * The roles to claim. `lastGeneration` is the largest generation id this
 * controller used or saw: a standby that does not know the leader's term yet
 * claims SLAVE at that, which no switch can find stale unless a newer
 * leader claimed since (then the switch holds us slave anyway).
 */
export function planRoles(election: ElectionView, switches: SwitchRoleView[], lastGeneration = 0n): RolePlan {
  const seen = switches.reduce((max, s) => (s.generationId !== undefined && s.generationId > max ? s.generationId : max), lastGeneration);
  const want: RoleAsk =
    election.leading && election.term !== undefined
      ? { role: "master", generationId: generationOf(election.term) }
      : { role: "slave", generationId: election.leaderTerm !== undefined ? generationOf(election.leaderTerm) : seen };
  const requests: RolePlan["requests"] = [];
  for (const s of switches) {
    if (s.asked) continue; // one request at a time per switch; the next plan looks again
    if (s.refusedAsk && same(s.refusedAsk, want)) continue; // refused as stale: a newer leader exists, asking again changes nothing
    if (s.role === want.role && s.generationId === want.generationId) continue;
    // A slave held at a larger generation than the leader's we know is already what we want: a newer leader exists.
    if (want.role === "slave" && s.role === "slave" && s.generationId !== undefined && s.generationId >= want.generationId) continue;
    requests.push({ dpid: s.dpid, ask: want });
  }
  return { want, requests };
}
