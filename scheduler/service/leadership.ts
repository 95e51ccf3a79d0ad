// GET /v1/leadership: whether this scheduler leads, who does, in which term.
// Served by the leader's app and by a standby alike (scheduler/service/replica.ts),
// and by a scheduler alone on the embedded store (always the leader).
import type { FastifyPluginAsync } from "fastify";
import type { LeadershipView } from "../../src/api-types/scheduler.js";

export const leadershipViewSchema = {
  type: "object",
  required: ["role", "store", "leader", "term", "self"],
  additionalProperties: false,
  properties: {
    role: { type: "string", enum: ["leader", "standby"], description: "leader acts; a standby answers 503 NOT_LEADER to the rest of the API" },
    store: { type: "string", enum: ["embedded", "etcd"], description: "embedded: alone, always leader; etcd: replicas elect one" },
    leader: { type: ["string", "null"], description: "the leader's base URL (null: none known, or alone)" },
    term: { type: ["string", "null"], description: "the term while this one leads: grows with each new leader" },
    self: { type: ["string", "null"], description: "this scheduler's advertised base URL" },
  },
} as const;

/** A scheduler alone on its embedded store. */
export const ALONE: LeadershipView = { role: "leader", store: "embedded", leader: null, term: null, self: null };

export function leadershipPlugin(view: () => LeadershipView): FastifyPluginAsync {
  return async (app) => {
    app.get(
      "/v1/leadership",
      { schema: { tags: ["leadership"], summary: "This scheduler's role (leader or standby), the leader's URL and term", response: { 200: leadershipViewSchema } } },
      async () => view(),
    );
  };
}
