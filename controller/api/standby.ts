// A standby controller (it does not lead the etcd election, or has not
// loaded the state in force yet) changes nothing: every mutating call
// (redirects, DNS records, named nodes, tunnels, flows, ports, roles) answers
// 503 with the leader's address, before any side effect, and a Retry-After.
// Reads are served from the standby's own view (docs/ha.md, "The controller").
import type { FastifyInstance } from "fastify";
import { ApiError } from "../../src/http/api-error.js";

export interface StandbyOptions {
  leads(): boolean;
  /** The leader's advertised API URL, or undefined when nobody leads. */
  leader(): string | undefined;
  /** Seconds a client should wait before trying again (Retry-After). */
  retryAfterS?: number;
}

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The 503 a standby answers a write with: `leader` is the leader's URL or null. */
export function notLeaderError(leader: string | undefined): ApiError {
  const where = leader ? `the leader is ${leader}` : "no controller leads right now";
  return new ApiError(503, "UNAVAILABLE", `this controller is a standby: it makes no changes; ${where}`, { leader: leader ?? null, reason: "standby" });
}

export function refuseWritesOnStandby(app: FastifyInstance, opts: StandbyOptions): void {
  // Before validation: a standby answers 503 whatever the body holds.
  app.addHook("preValidation", async (req, reply) => {
    if (READS.has(req.method) || opts.leads()) return;
    reply.header("retry-after", String(opts.retryAfterS ?? 1));
    throw notLeaderError(opts.leader());
  });
}
