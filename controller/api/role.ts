// GET and POST /v1/role: the role this controller claims from its switches
// (OpenFlow 1.3.5 §6.3.7). POST sends ROLE_REQUEST to every switch; a switch
// that refuses (a stale generation id) keeps its old view of us, and the
// answer is 409 with each switch's outcome.
import type { FastifyPluginAsync } from "fastify";
import type { RoleView } from "../../src/api-types/controller.js";
import { ApiError } from "../../src/http/api-error.js";
import { errorSchema } from "../../src/http/error-schema.js";
import { ROLES, type Role } from "../openflow/role.js";
import type { RoleClaim, RoleService } from "../openflow/roles.js";

const MAX_GENERATION = Number.MAX_SAFE_INTEGER;

export function roleJson(c: RoleClaim): RoleView {
  return {
    role: c.role,
    generationId: Number(c.generationId),
    switches: c.switches.map((s) => {
      const { generationId, ...rest } = s;
      const out: RoleView["switches"][number] = { ...rest };
      for (const k of Object.keys(out) as Array<keyof typeof out>) if (out[k] === undefined) delete out[k];
      if (generationId !== undefined) out.generationId = Number(generationId);
      return out;
    }),
  };
}

export interface RoleRoutesOptions {
  roles: RoleService;
  /** With an etcd store: the election that decides the role (POST /v1/role is then refused). */
  election?: () => NonNullable<RoleView["election"]>;
}

export const roleRoutes: FastifyPluginAsync<RoleRoutesOptions> = async (app, { roles, election }) => {
  app.get("/v1/role", { schema: { summary: "The role this controller claims, how each switch holds it, and (etcd store) the election", tags: ["role"] } }, async () => ({
    ...roleJson(roles.view()),
    ...(election && { election: election() }),
  }));

  app.post<{ Body: { role: Role; generationId?: number } }>(
    "/v1/role",
    {
      schema: {
        summary: "Claim a role (equal, master, slave) from every switch with ROLE_REQUEST; master and slave take a new, larger generation id",
        tags: ["role"],
        body: {
          type: "object",
          required: ["role"],
          additionalProperties: false,
          properties: {
            role: { type: "string", enum: [...ROLES] },
            generationId: { type: "integer", minimum: 1, maximum: MAX_GENERATION, description: "master/slave: above the last one used (default: that plus one)" },
          },
        },
        response: { 400: errorSchema, 409: errorSchema },
      },
    },
    async (req) => {
      if (election) throw ApiError.conflict("the etcd election decides this controller's role (the leader is master, the others slave): stop the leader to hand over", { election: election() });
      let claim: RoleClaim;
      try {
        claim = await roles.claim(req.body.role, req.body.generationId === undefined ? undefined : BigInt(req.body.generationId));
      } catch (err) {
        if (err instanceof RangeError) throw ApiError.badRequest(err.message);
        throw err;
      }
      const view = roleJson(claim);
      const refused = view.switches.filter((s) => s.status !== "taken");
      if (refused.length > 0) {
        const list = refused.map((s) => `${s.dpid} (${s.message ?? s.status})`).join(", ");
        throw ApiError.conflict(`role ${req.body.role} (generation ${view.generationId}) not taken by ${refused.length} switch(es): ${list}`, { ...view });
      }
      return view;
    },
  );
};
