// Who may call each of the agent's routes (src/http/auth.ts enforces it; the
// README's authorization table is checked against it). Only the scheduler and
// admins create, delete or migrate workloads; the incoming side of a
// migration and the image routes are for other agents only (the migration's
// one-time token on top is the transfer's business); viewers read.
import type { AccessTable, RouteAccess } from "../../src/http/auth.js";

const READ: RouteAccess = { roles: ["scheduler", "admin", "viewer"] };
const DRIVE: RouteAccess = { roles: ["scheduler", "admin"] };
const PEER: RouteAccess = { roles: ["agent"] };

export const AGENT_ACCESS: AccessTable = {
  "GET /openapi.json": { roles: ["scheduler", "controller", "agent", "admin", "device", "viewer"] },
  "GET /metrics": { roles: ["admin", "viewer"] },
  "GET /v1/logs": { roles: ["admin", "viewer"] },
  "GET /v1/events": READ,
  "GET /v1/info": { roles: ["scheduler", "agent", "admin", "viewer"] },
  "GET /v1/workloads": { roles: ["scheduler", "agent", "admin", "viewer"], note: "agent: a source watches its destination's copy run" },
  "POST /v1/workloads": DRIVE,
  "DELETE /v1/workloads/:id": DRIVE,
  "GET /v1/migrations": READ,
  "POST /v1/migrations": DRIVE,
  "GET /v1/migrations/:id": { roles: ["scheduler", "agent", "admin", "viewer"], note: "agent: a destination follows its source" },
  "POST /v1/migrations/:id/commit": DRIVE,
  "POST /v1/migrations/:id/rollback": DRIVE,
  "POST /v1/incoming": PEER,
  "POST /v1/incoming/:id/files": PEER,
  "PUT /v1/incoming/:id/files/:name": PEER,
  "POST /v1/incoming/:id/files/:name/seal": PEER,
  "POST /v1/incoming/:id/prepare": PEER,
  "POST /v1/incoming/:id/restore": PEER,
  "POST /v1/incoming/:id/commit": PEER,
  "POST /v1/incoming/:id/abort": PEER,
  "GET /v1/images": PEER,
  "POST /v1/images": PEER,
};
