// Host route: the host table learned from PACKET_INs.
import type { FastifyPluginAsync } from "fastify";
import type { HostTable } from "../hosts/table.js";

export const hostRoutes: FastifyPluginAsync<{ hosts: HostTable }> = async (app, opts) => {
  app.get("/v1/hosts", { schema: { summary: "Hosts: MAC, IP, switch, port, last seen", tags: ["hosts"] } }, async () => ({
    hosts: opts.hosts
      .all()
      .sort((a, b) => a.mac.localeCompare(b.mac))
      .map((h) => ({ mac: h.mac, ip: h.ip ?? null, dpid: h.dpid, port: h.port, lastSeen: new Date(h.lastSeen).toISOString() })),
  }));
};
