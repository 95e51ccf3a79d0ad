// Topology and host routes: what discovery and host tracking know now.
import type { FastifyPluginAsync } from "fastify";
import type { HostTable } from "../hosts/table.js";
import type { SwitchRegistry } from "../openflow/registry.js";
import type { LinkDiscovery } from "../topology/discovery.js";

export interface TopologyRoutesOptions {
  registry: SwitchRegistry;
  discovery: LinkDiscovery;
  hosts: HostTable;
}

export const topologyRoutes: FastifyPluginAsync<TopologyRoutesOptions> = async (app, opts) => {
  app.get("/v1/topology", { schema: { summary: "Switches and the links between them (each link once)", tags: ["topology"] } }, async () => ({
    switches: opts.registry.dpids(),
    /** True once every switch has been probed long enough for flooding to be loop-safe. */
    settled: opts.registry.dpids().every((d) => opts.discovery.settled(d)),
    links: opts.discovery.graph
      .all()
      .map((l) => (l.src.dpid <= l.dst.dpid ? l : { src: l.dst, dst: l.src }))
      .sort((a, b) => `${a.src.dpid}:${a.src.port}`.localeCompare(`${b.src.dpid}:${b.src.port}`)),
    hosts: opts.hosts.all().length,
  }));
};
