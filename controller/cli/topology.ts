// `fleximigrate topology`: switches, links and hosts the controller knows,
// as three tables (or the API's JSON). Client of GET /v1/topology
// ({switches, links: [{src:{dpid,port}, dst:{dpid,port}}]}) and GET /v1/hosts.
import { parseCommandArgs } from "../../src/cli/args.js";
import type { Command } from "../../src/cli/command.js";
import { requestJson } from "../../src/cli/http.js";
import { formatTable, printJson } from "../../src/cli/output.js";
import { age, controllerBase, listOf } from "./api-client.js";

const usage = `Usage: fleximigrate topology [--json] [--controller URL]

Shows the switches connected to the controller, the links LLDP discovered
between them, and the hosts learned on edge ports.

Options:
  --controller URL  controller HTTP API (default http://127.0.0.1:8181)
  --json            print the API's JSON: {topology: GET /v1/topology, hosts: GET /v1/hosts}
  -h, --help        show this help
`;

function end(e: unknown): string {
  const x = e as { dpid?: unknown; port?: unknown } | null;
  return x && x.dpid !== undefined ? `${x.dpid}:${x.port ?? "?"}` : "?";
}

function portCount(sw: Record<string, unknown>): number | undefined {
  if (Array.isArray(sw.ports)) return sw.ports.length;
  return typeof sw.ports === "number" ? sw.ports : undefined;
}

/** Renders GET /v1/topology (switches as objects or bare dpids) and GET /v1/hosts. */
export function renderTopology(topology: unknown, hosts: unknown, now = Date.now()): string {
  const rawSwitches = Array.isArray((topology as { switches?: unknown })?.switches) ? (topology as { switches: unknown[] }).switches : [];
  const switches = rawSwitches.map((s) => (typeof s === "object" && s !== null ? (s as Record<string, unknown>) : { dpid: s }));
  const links = listOf(topology, "links");
  const hostRows = listOf(hosts, "hosts");
  const sections: string[] = [];
  sections.push(
    switches.length
      ? `Switches (${switches.length})\n${formatTable(
          ["DPID", "PORTS", "ADDRESS", "CONNECTED"],
          switches.map((s) => [String(s.dpid), portCount(s), (s.address ?? s.remoteAddress) as string, age(s.connectedAt, now)]),
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

export const command: Command = {
  name: "topology",
  summary: "Show switches, links and hosts known to the controller",
  usage,
  async run(args) {
    const parsed = parseCommandArgs(args, { json: { type: "boolean" }, controller: { type: "string" } }, usage, { positionals: { max: 0 } });
    if (!parsed) return 0;
    const base = controllerBase(parsed.values.controller);
    const topology = await requestJson<unknown>("GET", `${base}/v1/topology`);
    const hosts = await requestJson<unknown>("GET", `${base}/v1/hosts`);
    if (parsed.values.json) printJson({ topology, hosts });
    else process.stdout.write(renderTopology(topology, hosts));
    return 0;
  },
};
