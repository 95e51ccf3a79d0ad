// The answer of a replicated service's standby (scheduler, controller): 503
// NOT_LEADER with `leader`, the base URL of the process that leads (null while
// none is known: an election is under way), and Retry-After. The same shape
// from every service, so one client rule (src/http/json-client.ts) follows
// any of them. Pure: the body, the header, and the client's reading of both.
import { ApiError } from "./api-error.js";
import type { ErrorBody } from "./client-errors.js";

/** Seconds a client waits before asking again when no leader is named. */
export const NOT_LEADER_RETRY_AFTER_S = 1;

export function notLeader(service: string, leader: string | undefined, why = "this process is a standby"): ApiError {
  const where = leader ? `the leader is ${leader}` : "no leader is known yet (an election is under way)";
  return new ApiError(503, "NOT_LEADER", `${service}: ${why}; ${where}`, { leader: leader ?? null });
}

/** A 503 body that is a standby's "not me": the leader's URL, null when none is known; undefined when it is another 503. */
export function leaderHint(status: number, body: ErrorBody): { leader: string | null } | undefined {
  if (status !== 503 || body.code !== "NOT_LEADER" || !("leader" in body)) return undefined;
  const leader = body.leader;
  if (leader === null) return { leader: null };
  if (typeof leader !== "string") return undefined;
  try {
    const url = new URL(leader);
    return url.protocol === "http:" || url.protocol === "https:" ? { leader: leader.replace(/\/+$/, "") } : { leader: null };
  } catch {
    return { leader: null };
  }
}
