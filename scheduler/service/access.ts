// Who may call each of the scheduler's routes (src/http/auth.ts enforces it;
// the README's authorization table is checked against it). Agents register
// and report only for the node their certificate names; devices place,
// read and release only their own tasks; admins do the rest; viewers read.
import type { FastifyRequest } from "fastify";
import type { AccessTable, RouteAccess } from "../../src/http/auth.js";
import { CONTROLLER_FORWARD_PREFIX, CONTROLLER_FORWARD_READS } from "../ui/controller-forward.js";

type Req = FastifyRequest<{ Params: Record<string, string>; Body: Record<string, unknown> }>;

const READ: RouteAccess = { roles: ["admin", "viewer"] };
const ADMIN: RouteAccess = { roles: ["admin"] };
const PAGE: RouteAccess = { roles: [], public: true };
const param = (name: string) => (req: FastifyRequest) => (req as Req).params[name];
const bodyField = (name: string) => (req: FastifyRequest) => {
  const v = (req as Req).body?.[name];
  return typeof v === "string" ? v : undefined;
};

/** `taskDevice`: the device a placed task belongs to (undefined: no such task). */
export function schedulerAccess(taskDevice: (taskId: string) => string | undefined): AccessTable {
  const ownTask = (req: FastifyRequest) => {
    const id = (req as Req).params.id;
    return id === undefined ? undefined : taskDevice(id);
  };
  return {
    "GET /openapi.json": { roles: ["scheduler", "controller", "agent", "admin", "device", "viewer"] },
    "GET /v1/leadership": { roles: ["scheduler", "controller", "agent", "admin", "device", "viewer"] },
    "GET /metrics": READ,
    "GET /v1/logs": READ,
    "GET /v1/events": READ,
    "GET /v1/nodes": READ,
    "GET /v1/nodes/:name": READ,
    "POST /v1/nodes": { roles: ["agent", "admin"], own: { agent: bodyField("name") }, note: "agent: its own node only; admin: nodes without an agent" },
    "PUT /v1/nodes/:name/report": { roles: ["agent"], own: { agent: param("name") }, note: "agent: its own node only" },
    "DELETE /v1/nodes/:name": ADMIN,
    "GET /v1/devices": READ,
    "GET /v1/devices/:id": { roles: ["admin", "viewer", "device"], own: { device: param("id") }, note: "device: itself only" },
    "POST /v1/devices": { roles: ["admin", "device"], own: { device: bodyField("id") }, note: "device: itself only" },
    "DELETE /v1/devices/:id": { roles: ["admin", "device"], own: { device: param("id") }, note: "device: itself only" },
    "GET /v1/reconciliation": READ,
    "POST /v1/tasks": { roles: ["admin", "device"], own: { device: bodyField("device") }, note: "device: tasks of its own" },
    "GET /v1/tasks/:id": { roles: ["admin", "viewer", "device"], own: { device: ownTask }, note: "device: its own tasks" },
    "DELETE /v1/tasks/:id": { roles: ["admin", "device"], own: { device: ownTask }, note: "device: its own tasks" },
    "POST /v1/tasks/:id/samples": { roles: ["admin", "device"], own: { device: ownTask }, note: "device: its own tasks" },
    "GET /v1/tasks/:id/latency": { roles: ["admin", "viewer", "device"], own: { device: ownTask }, note: "device: its own tasks" },
    "GET /v1/placements": READ,
    "GET /v1/migrations": READ,
    "POST /v1/migrations": ADMIN,
    "GET /v1/migrations/:id": READ,
    "GET /v1/models": READ,
    "GET /v1/groups": READ,
    "GET /v1/groups/:name/migrations": READ,
    "POST /v1/groups/:name/migrations": ADMIN,
    "GET /v1/groups/:name/migrations/:id": READ,
    // The dashboard (scheduler/ui/): its files hold no data; what it shows comes through the rows above and these reads.
    "GET /ui": PAGE,
    "GET /ui/": PAGE,
    "GET /ui/dashboard.css": PAGE,
    "GET /ui/app.js": PAGE,
    ...Object.fromEntries(CONTROLLER_FORWARD_READS.map((url) => [`GET ${CONTROLLER_FORWARD_PREFIX}${url}`, READ])),
    [`GET ${CONTROLLER_FORWARD_PREFIX}/v1/events`]: READ,
  };
}
