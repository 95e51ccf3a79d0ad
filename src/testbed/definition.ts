// The testbed's one definition (mininet/testbed.json): sites, their nodes and
// device hosts, the service CIDR and the WAN. Read by `fleximigrate testbed`,
// `up --testbed` and the tests here, and by mininet/topos.py for `mn`.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseCidr } from "../loopnet/addresses.js";
import { SITE_PATTERN } from "../loopnet/names.js";

export const DEFINITION_PATH = fileURLToPath(new URL("../../mininet/testbed.json", import.meta.url));

export interface TestbedNode {
  name: string;
  cpus: number;
}

export interface TestbedSite {
  name: string;
  tier: "edge" | "cloud";
  /** Device hosts at this site (edge sites only). */
  devices: number;
  nodes: TestbedNode[];
}

export interface WanSpec {
  /** One-way delay the relay adds, each direction. */
  delayMs: number;
  /** tbf rate on each of the relay's links; 0: unshaped. */
  bandwidthMbit: number;
  /** Frames the relay holds at most per direction. */
  queueFrames: number;
}

export interface TestbedDefinition {
  serviceCidr: string;
  sites: TestbedSite[];
  wan: WanSpec;
}

export class DefinitionError extends Error {
  override readonly name = "DefinitionError";
}

const NODE_NAME = /^[a-z][a-z0-9-]{0,30}$/;

/** Checks a parsed definition; every problem names its path (sites[1].nodes[0].cpus: ...). */
export function validateDefinition(raw: unknown, where = "testbed definition"): TestbedDefinition {
  const bad = (path: string, why: string): never => {
    throw new DefinitionError(`${where}: ${path}: ${why}`);
  };
  const obj = (v: unknown, path: string) => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : bad(path, "must be an object"));
  const num = (v: unknown, path: string, min: number, max: number) =>
    typeof v === "number" && Number.isFinite(v) && v >= min && v <= max ? v : bad(path, `must be a number in ${min}-${max}, got ${JSON.stringify(v)}`);
  const d = obj(raw, "(top)");
  const known = new Set(["$comment", "serviceCidr", "sites", "wan"]);
  for (const k of Object.keys(d)) if (!known.has(k)) bad(k, "unknown field");
  const cidr = typeof d.serviceCidr === "string" ? parseCidr(d.serviceCidr) : null;
  if (!cidr || cidr.length < 8 || cidr.length > 22) bad("serviceCidr", `must be an IPv4 network of length 8-22 like 10.144.0.0/16, got ${JSON.stringify(d.serviceCidr)}`);
  if (!Array.isArray(d.sites) || d.sites.length < 2 || d.sites.length > 8) bad("sites", "must list 2-8 sites");
  const seenNodes = new Set<string>();
  const seenSites = new Set<string>();
  const sites = (d.sites as unknown[]).map((s, i): TestbedSite => {
    const p = `sites[${i}]`;
    const o = obj(s, p);
    for (const k of Object.keys(o)) if (!["name", "tier", "devices", "nodes"].includes(k)) bad(`${p}.${k}`, "unknown field");
    if (typeof o.name !== "string" || !SITE_PATTERN.test(o.name)) bad(`${p}.name`, "must be lower-case letters, digits and '-'");
    if (seenSites.has(o.name as string)) bad(`${p}.name`, `site '${o.name}' is listed twice`);
    seenSites.add(o.name as string);
    if (o.tier !== "edge" && o.tier !== "cloud") bad(`${p}.tier`, `must be edge or cloud, got ${JSON.stringify(o.tier)}`);
    const devices = o.devices === undefined ? 0 : num(o.devices, `${p}.devices`, 0, 8);
    if (!Number.isInteger(devices)) bad(`${p}.devices`, "must be an integer");
    if (o.tier === "cloud" && devices > 0) bad(`${p}.devices`, "device hosts live at edge sites");
    if (!Array.isArray(o.nodes) || o.nodes.length < 1 || o.nodes.length > 8) bad(`${p}.nodes`, "must list 1-8 nodes");
    const nodes = (o.nodes as unknown[]).map((n, j): TestbedNode => {
      const q = `${p}.nodes[${j}]`;
      const no = obj(n, q);
      for (const k of Object.keys(no)) if (!["name", "cpus"].includes(k)) bad(`${q}.${k}`, "unknown field");
      if (typeof no.name !== "string" || !NODE_NAME.test(no.name)) bad(`${q}.name`, "must be a lower-case name");
      if (seenNodes.has(no.name as string)) bad(`${q}.name`, `node '${no.name}' is listed twice`);
      seenNodes.add(no.name as string);
      return { name: no.name as string, cpus: num(no.cpus, `${q}.cpus`, 0.05, 256) };
    });
    return { name: o.name as string, tier: o.tier as "edge" | "cloud", devices, nodes };
  });
  if (sites.filter((s) => s.tier === "cloud").length !== 1) bad("sites", "must hold exactly one cloud site (the WAN hub)");
  if (!sites.some((s) => s.tier === "edge")) bad("sites", "must hold at least one edge site");
  const w = obj(d.wan, "wan");
  for (const k of Object.keys(w)) if (!["delayMs", "bandwidthMbit", "queueFrames"].includes(k)) bad(`wan.${k}`, "unknown field");
  const wan = {
    delayMs: num(w.delayMs, "wan.delayMs", 0, 5000),
    bandwidthMbit: num(w.bandwidthMbit, "wan.bandwidthMbit", 0, 10_000),
    queueFrames: num(w.queueFrames, "wan.queueFrames", 1, 1_000_000),
  };
  if (!Number.isInteger(wan.queueFrames)) bad("wan.queueFrames", "must be an integer");
  return { serviceCidr: d.serviceCidr as string, sites, wan };
}

export function loadDefinition(path = DEFINITION_PATH): TestbedDefinition {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new DefinitionError(`${path}: ${(err as Error).message}`);
  }
  return validateDefinition(raw, path);
}
