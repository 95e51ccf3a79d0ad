// NetworkPort over the controller's client, and the one used without a
// controller (every call a no-op the manager logs).
import type { ControllerClient } from "../../src/clients/controller.js";
import type { NetworkPort } from "./ports.js";
import { switchPath } from "./switch-path.js";

export function controllerNetwork(client: ControllerClient): NetworkPort {
  return {
    configured: true,
    async ensurePath(from, to) {
      if (!from.dpid || !to.dpid) {
        const without = [from, to].filter((e) => !e.dpid).map((e) => e.node);
        return `${without.join(" and ")} attach${without.length === 1 ? "es" : ""} no bridge: one flat network assumed`;
      }
      const topology = await client.topology();
      const path = switchPath(topology.links, from.dpid, to.dpid);
      if (!path) {
        const settled = topology.settled ? "" : ", discovery not settled yet";
        throw new Error(`the controller knows no path between ${from.node}'s switch ${from.dpid} and ${to.node}'s switch ${to.dpid} (${topology.links.length} links${settled})`);
      }
      return path.length === 1 ? `${from.node} and ${to.node} share switch ${from.dpid}` : `path ${from.node} -> ${to.node} over ${path.length - 1} link(s): ${path.join(" -> ")}`;
    },
    async redirect(order) {
      const answer = await client.redirect(order, { timeoutMs: 30_000 });
      return { reconfigurationMs: answer.reconfigurationMs, redirectIds: answer.redirects.map((r) => r.id) };
    },
    async rollbackRedirects(ids) {
      // Newest first: each rollback restores what the one before it replaced.
      for (const id of [...ids].reverse()) await client.rollback(id, { timeoutMs: 30_000 });
    },
    async setDns(name, ip) {
      await client.setDnsRecord(name, { ip });
    },
    async deleteDns(name) {
      await client.deleteDnsRecord(name);
    },
  };
}

export const NO_NETWORK: NetworkPort = {
  configured: false,
  ensurePath: async () => "no controller configured: path assumed",
  redirect: async () => ({ reconfigurationMs: 0, redirectIds: [] }),
  rollbackRedirects: async () => {},
  setDns: async () => {},
  deleteDns: async () => {},
};
