// NetworkPort over the controller's client, and the one used without a
// controller (every call a no-op the manager logs).
import type { ControllerClient } from "../../src/clients/controller.js";
import type { NetworkPort } from "./ports.js";

export function controllerNetwork(client: ControllerClient): NetworkPort {
  return {
    configured: true,
    async ensurePath(fromNode, toNode) {
      const places = new Map((await client.nodes()).nodes.map((p) => [p.name, p]));
      const a = places.get(fromNode);
      const b = places.get(toNode);
      if (!a || !b) return `controller names no place for ${[!a ? fromNode : "", !b ? toNode : ""].filter(Boolean).join(" and ")}: one flat network assumed`;
      if (!a.site || !b.site || a.site === b.site) return `${fromNode} and ${toNode} share site ${a.site ?? b.site ?? "(none)"}: no overlay needed`;
      const tunnels = (await client.overlay()).tunnels;
      // Each side's bridge needs a tunnel toward the other side's site.
      const towards = (site: string) => tunnels.find((t) => t.site === site && t.state !== "error");
      const missing = [b.site, a.site].filter((s) => !towards(s));
      if (missing.length > 0) throw new Error(`no working overlay tunnel toward site ${missing.join(" and ")} (sites ${a.site} -> ${b.site})`);
      return `overlay ${a.site} <-> ${b.site} up (${towards(b.site)!.name}, ${towards(a.site)!.name})`;
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
