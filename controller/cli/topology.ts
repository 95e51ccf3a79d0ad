// `fleximigrate topology`: switches, links and hosts the controller knows,
// as three tables (or the API's JSON). Client of GET /v1/topology
// ({switches: dpid[], settled, links: [{src:{dpid,port}, dst:{dpid,port}}]}),
// GET /v1/switches ({switches: [{dpid, address, tables, ports}]}) and GET /v1/hosts.
import { defineCommand } from "../../src/cli/define.js";
import * as flag from "../../src/cli/flags.js";
import { controllerAt } from "../../src/cli/service-clients.js";
import { formatTable, printJson } from "../../src/cli/output.js";
import { age, controllerFlag, listOf } from "./api-client.js";

function end(e: unknown): string {
  const x = e as { dpid?: unknown; port?: unknown } | null;
  return x && x.dpid !== undefined ? `${x.dpid}:${x.port ?? "?"}` : "?";
}

function portCount(sw: Record<string, unknown>): number | undefined {
  if (Array.isArray(sw.ports)) return sw.ports.length;
  return typeof sw.ports === "number" ? sw.ports : undefined;
}

/**
 * Renders GET /v1/topology, GET /v1/switches and GET /v1/hosts. Switches are
 * those the topology lists (bare dpids or objects), with details from /v1/switches.
 */
export function renderTopology(topology: unknown, switchList: unknown, hosts: unknown, now = Date.now()): string {
  const rawSwitches = Array.isArray((topology as { switches?: unknown })?.switches) ? (topology as { switches: unknown[] }).switches : [];
  const details = new Map(listOf(switchList, "switches").map((s) => [String(s.dpid), s]));
  const switches = rawSwitches.map((s) => {
    const base = typeof s === "object" && s !== null ? (s as Record<string, unknown>) : { dpid: s };
    return { ...details.get(String(base.dpid)), ...base };
  });
  for (const [dpid, s] of details) if (!switches.some((x) => String(x.dpid) === dpid)) switches.push(s);
  const settled = (topology as { settled?: unknown })?.settled;
  const links = listOf(topology, "links");
  const hostRows = listOf(hosts, "hosts");
  const sections: string[] = [];
  sections.push(
    switches.length
      ? `Switches (${switches.length})${settled === false ? ", link discovery still settling" : ""}\n${formatTable(
          ["DPID", "PORTS", "TABLES", "ADDRESS"],
          switches.map((s) => [String(s.dpid), portCount(s), s.tables as number, s.address as string]),
        )}`
      : "Switches (0)\n(no switches connected)\n",
  );
  sections.push(
    links.length
      ? `Links (${links.length})\n${formatTable(
          ["FROM", "TO"],
          links.map((l) => [end(l.src), end(l.dst)]),
        )}`
      : "Links (0)\n(no links discovered)\n",
  );
  sections.push(
    hostRows.length
      ? `Hosts (${hostRows.length})\n${formatTable(
          ["MAC", "IP", "SWITCH", "PORT", "LAST SEEN"],
          hostRows.map((h) => [h.mac as string, h.ip as string, h.dpid as string, h.port as number, age(h.lastSeen, now)]),
        )}`
      : "Hosts (0)\n(no hosts learned)\n",
  );
  return sections.join("\n");
}

export const command = defineCommand({
  name: "topology",
  description: `Shows the switches connected to the controller, the links LLDP discovered
between them, and the hosts learned on edge ports.`,
  flags: {
    controller: controllerFlag,
    json: flag.boolean("print the API's JSON: {topology, switches, hosts} as the three routes answer"),
  },
  async run(parsed) {
    const base = parsed.values.controller;
    const controller = controllerAt(base);
    const topology = await controller.topology();
    const switches = await controller.switches();
    const hosts = await controller.hosts();
    if (parsed.values.json) printJson({ topology, switches, hosts });
    else process.stdout.write(renderTopology(topology, switches, hosts));
    return 0;
  },
});
