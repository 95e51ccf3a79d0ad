// `fleximigrate flows`: the flow tables of the controller's switches, as a
// table per flow (or the API's JSON). Client of GET /v1/switches and
// GET /v1/switches/:dpid/flows; flows are OpenFlow 1.3 flow stats
// ({tableId, priority, cookie "0x..", owner, packetCount, byteCount, match, instructions}).
import { defineCommand } from "../../src/cli/define.js";
import * as flag from "../../src/cli/flags.js";
import { controllerAt } from "../../src/cli/service-clients.js";
import { type Cell, formatTable, printJson } from "../../src/cli/output.js";
import {
  OFPP_ALL,
  OFPP_ANY,
  OFPP_CONTROLLER,
  OFPP_FLOOD,
  OFPP_IN_PORT,
  OFPP_LOCAL,
  OFPP_NORMAL,
  OFPP_TABLE,
} from "../../src/openflow/constants.js";
import { controllerFlag, listOf } from "./api-client.js";

/** OpenFlow 1.3 reserved port numbers, by name. */
const RESERVED_PORTS = new Map<number, string>([
  [OFPP_IN_PORT, "IN_PORT"],
  [OFPP_TABLE, "TABLE"],
  [OFPP_NORMAL, "NORMAL"],
  [OFPP_FLOOD, "FLOOD"],
  [OFPP_ALL, "ALL"],
  [OFPP_CONTROLLER, "CONTROLLER"],
  [OFPP_LOCAL, "LOCAL"],
  [OFPP_ANY, "ANY"],
]);

export function portName(port: unknown): string {
  const n = Number(port);
  return RESERVED_PORTS.get(n) ?? String(port);
}

/** {ethType: 2048, ipv4Dst: "10.0.0.0", ipv4DstMask: "255.255.255.0"} -> "ethType=0x0800,ipv4Dst=10.0.0.0/255.255.255.0". */
export function formatMatch(match: unknown): string {
  if (typeof match !== "object" || match === null) return "*";
  const m = match as Record<string, unknown>;
  const parts: string[] = [];
  for (const [key, value] of Object.entries(m)) {
    if (key.endsWith("Mask") || value === undefined || value === null) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    let text = key === "ethType" ? `0x${Number(value).toString(16).padStart(4, "0")}` : key === "inPort" ? portName(value) : typeof value === "object" ? JSON.stringify(value) : String(value);
    const mask = m[`${key}Mask`];
    if (mask !== undefined && mask !== null) text += `/${String(mask)}`;
    parts.push(`${key}=${text}`);
  }
  return parts.length ? parts.join(",") : "*";
}

function formatAction(a: Record<string, unknown>): string {
  switch (a.type) {
    case "output":
      return `output:${portName(a.port)}`;
    case "setField":
      return `set:${formatMatch(a.field)}`;
    case "group":
      return `group:${a.groupId}`;
    case "setQueue":
      return `queue:${a.queueId}`;
    case "pushVlan":
      return "push_vlan";
    case "popVlan":
      return "pop_vlan";
    case "decNwTtl":
      return "dec_ttl";
    case "setNwTtl":
      return `set_ttl:${a.ttl}`;
    default:
      return String(a.type ?? "?");
  }
}

/** Instructions (or a bare action list) as "output:2,goto:1"; "drop" when there are none. */
export function formatInstructions(flow: Record<string, unknown>): string {
  const out: string[] = [];
  const actions = (list: unknown) => (Array.isArray(list) ? list.map((a) => formatAction(a as Record<string, unknown>)) : []);
  if (Array.isArray(flow.instructions)) {
    for (const ins of flow.instructions as Record<string, unknown>[]) {
      if (ins.type === "applyActions") out.push(...actions(ins.actions));
      else if (ins.type === "writeActions") out.push(...actions(ins.actions).map((a) => `write:${a}`));
      else if (ins.type === "gotoTable") out.push(`goto:${ins.tableId}`);
      else if (ins.type === "clearActions") out.push("clear");
      else if (ins.type === "meter") out.push(`meter:${ins.meterId}`);
      else if (ins.type === "writeMetadata") out.push(`metadata:${ins.metadata}`);
    }
  } else {
    out.push(...actions(flow.actions));
  }
  return out.length ? out.join(",") : "drop";
}

function cookieText(cookie: unknown): string | undefined {
  if (cookie === undefined || cookie === null) return undefined;
  try {
    return `0x${BigInt(cookie as string | number).toString(16)}`;
  } catch {
    return String(cookie);
  }
}

export interface SwitchFlows {
  dpid: string;
  flows: unknown;
}

/** One row per flow, switches in the order given, each switch's flows by table then priority (high first). */
export function renderFlows(switches: SwitchFlows[]): string {
  const rows: Cell[][] = [];
  for (const sw of switches) {
    const flows = listOf(sw.flows, "flows").sort(
      (a, b) => Number(a.tableId ?? 0) - Number(b.tableId ?? 0) || Number(b.priority ?? 0) - Number(a.priority ?? 0),
    );
    for (const f of flows) {
      rows.push([
        sw.dpid,
        f.tableId as number,
        f.priority as number,
        f.owner as string,
        formatMatch(f.match),
        formatInstructions(f),
        f.packetCount as string,
        f.byteCount as string,
        cookieText(f.cookie),
      ]);
    }
  }
  if (rows.length === 0) return switches.length === 0 ? "(no switches connected)\n" : "(no flows)\n";
  return formatTable(["SWITCH", "TABLE", "PRIORITY", "OWNER", "MATCH", "ACTIONS", "PACKETS", "BYTES", "COOKIE"], rows);
}

export const command = defineCommand({
  name: "flows",
  description: "Shows the flows installed on every switch the controller knows (or one).",
  flags: {
    switch: flag.string("DPID", "only this switch (datapath id as the controller lists it)"),
    controller: controllerFlag,
    json: flag.boolean("print the API's JSON (with no --switch: [{dpid, flows}...])"),
  },
  async run(parsed) {
    const base = parsed.values.controller;
    const only = parsed.values.switch;
    const controller = controllerAt(base);
    const flowsOf = (dpid: string) => controller.flows(dpid);
    if (only !== undefined) {
      const data = await flowsOf(only);
      if (parsed.values.json) printJson(data);
      else process.stdout.write(renderFlows([{ dpid: only, flows: data }]));
      return 0;
    }
    const switches = listOf(await controller.switches(), "switches");
    const all: SwitchFlows[] = [];
    for (const sw of switches) {
      const dpid = String(sw.dpid);
      all.push({ dpid, flows: await flowsOf(dpid) });
    }
    if (parsed.values.json) printJson(all);
    else process.stdout.write(renderFlows(all));
    return 0;
  },
});
