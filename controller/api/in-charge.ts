// API routes that change switches (flows, ports, redirects, the overlay) mark
// themselves `config: { changesSwitches: true }`; this hook answers them 409
// before any side effect while the controller is slave (OpenFlow 1.3.5
// §6.3.7), or, for a route naming one switch, while that switch is not ours
// to change. SwitchSession.send refuses such messages as well: this only
// makes the refusal early and clear.
import type { FastifyInstance } from "fastify";
import { ApiError } from "../../src/http/api-error.js";
import type { SwitchRegistry } from "../openflow/registry.js";
import type { Role } from "../openflow/role.js";
import { NotInChargeError } from "../openflow/session.js";
import { normalizeDpid } from "./dpid.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The route sends FLOW_MODs, GROUP_MODs, PORT_MODs...: refused while slave. */
    changesSwitches?: boolean;
  }
}

export interface InChargeOptions {
  role(): Role;
  registry: SwitchRegistry;
}

export function guardSwitchChanges(app: FastifyInstance, opts: InChargeOptions): void {
  app.addHook("preHandler", async (req) => {
    if (!req.routeOptions.config?.changesSwitches) return;
    if (opts.role() === "slave") {
      throw ApiError.conflict('this controller is slave (OpenFlow 1.3.5 §6.3.7): it makes no changes to switches; POST /v1/role {"role":"master"} first', { role: "slave" });
    }
    const dpid = (req.params as { dpid?: string } | undefined)?.dpid;
    const session = dpid === undefined ? undefined : opts.registry.get(normalizeDpid(dpid));
    if (session && !session.role.mayChange) {
      const err = new NotInChargeError(session.dpid, session.role);
      throw ApiError.conflict(err.message, { role: session.role.role });
    }
  });
}
