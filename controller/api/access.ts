// Who may call each of the controller's routes (src/http/auth.ts enforces it;
// the README's authorization table is checked against it). Only the scheduler
// and admins redirect, change DNS records, named nodes or tunnels; switch
// changes and the OpenFlow role are admins' alone; viewers read.
import type { AccessTable, RouteAccess } from "../../src/http/auth.js";

const READ: RouteAccess = { roles: ["scheduler", "admin", "viewer"] };
const NETWORK: RouteAccess = { roles: ["scheduler", "admin"] };
const ADMIN: RouteAccess = { roles: ["admin"] };

export const CONTROLLER_ACCESS: AccessTable = {
  "GET /openapi.json": { roles: ["scheduler", "controller", "agent", "admin", "device", "viewer"] },
  "GET /metrics": { roles: ["admin", "viewer"] },
  "GET /v1/logs": { roles: ["admin", "viewer"] },
  "GET /v1/events": READ,
  "GET /v1/switches": READ,
  "GET /v1/switches/:dpid/ports": READ,
  "PUT /v1/switches/:dpid/ports/:port": ADMIN,
  "GET /v1/switches/:dpid/flows": READ,
  "POST /v1/switches/:dpid/flows": ADMIN,
  "GET /v1/switches/:dpid/groups": READ,
  "GET /v1/switches/:dpid/meters": READ,
  "GET /v1/switches/:dpid/tables": READ,
  "GET /v1/switches/:dpid/queues": READ,
  "GET /v1/role": READ,
  "POST /v1/role": ADMIN,
  "POST /v1/redirect": NETWORK,
  "GET /v1/redirects": READ,
  "POST /v1/redirects/:id/rollback": NETWORK,
  "GET /v1/topology": READ,
  "GET /v1/hosts": READ,
  "GET /v1/nodes": READ,
  "PUT /v1/nodes/:name": NETWORK,
  "GET /v1/dns": READ,
  "PUT /v1/dns/records/:name": NETWORK,
  "DELETE /v1/dns/records/:name": NETWORK,
  "GET /v1/overlay": READ,
  "POST /v1/overlay/tunnels": NETWORK,
  "DELETE /v1/overlay/tunnels/:name": NETWORK,
};
