// Checks a plan's input and says exactly what is wrong with it, before any
// name is made: a plan is only ever built from input that passed here.
import { parseCidr } from "./addresses.js";
import { PREFIX_PATTERN, SITE_PATTERN } from "./names.js";
import type { LoopnetInput } from "./types.js";

export class LoopnetError extends Error {
  override readonly name = "LoopnetError";
}

/** More nodes would not fit the naming scheme's 15 characters (and no one-machine loop needs them). */
export const MAX_NODES = 64;
export const DEFAULT_SERVICE_CIDR = "10.77.0.0/16";

export function validateInput(input: LoopnetInput): void {
  const bad = (why: string): never => {
    throw new LoopnetError(`loopnet: ${why}`);
  };
  if (typeof input.prefix !== "string" || !PREFIX_PATTERN.test(input.prefix))
    bad(`prefix '${String(input.prefix)}' must be 2-8 characters: a lower-case letter, then letters or digits (no '-')`);
  if (!Array.isArray(input.nodes) || input.nodes.length === 0) bad("at least one node is needed");
  if (input.nodes.length > MAX_NODES) bad(`${input.nodes.length} nodes: at most ${MAX_NODES}`);
  const seen = new Set<string>();
  for (const [i, n] of input.nodes.entries()) {
    if (!n || typeof n.name !== "string" || n.name === "") bad(`node ${i + 1} has no name`);
    if (seen.has(n.name)) bad(`node '${n.name}' is listed twice`);
    seen.add(n.name);
    if (n.tier !== "edge" && n.tier !== "cloud") bad(`node '${n.name}': tier must be edge or cloud, got '${String(n.tier)}'`);
    if (typeof n.site !== "string" || !SITE_PATTERN.test(n.site))
      bad(`node '${n.name}': site '${String(n.site)}' must be lower-case letters, digits and '-' (at most 31)`);
  }
  const sites = new Set(input.nodes.map((n) => n.site));
  if (input.deviceSites !== undefined) {
    if (!Array.isArray(input.deviceSites)) bad("deviceSites must be a list of site names");
    const listed = new Set<string>();
    for (const s of input.deviceSites) {
      if (!sites.has(s)) bad(`device site '${s}' has no node (sites: ${[...sites].join(", ")})`);
      if (listed.has(s)) bad(`device site '${s}' is listed twice`);
      listed.add(s);
    }
  }
  if (input.serviceCidr !== undefined) {
    const cidr = parseCidr(input.serviceCidr);
    if (!cidr) bad(`service CIDR '${input.serviceCidr}' is not an IPv4 network like ${DEFAULT_SERVICE_CIDR}`);
    else if (cidr.length < 8 || cidr.length > 24) bad(`service CIDR '${input.serviceCidr}': its length must be 8-24 (devices and the gateway take its top 256 addresses)`);
  }
  if (input.controllerPort !== undefined && !(Number.isInteger(input.controllerPort) && input.controllerPort >= 1 && input.controllerPort <= 65535))
    bad(`controller port ${String(input.controllerPort)} must be an integer in 1-65535`);
  if (!(Number.isInteger(input.rootNetnsPid) && input.rootNetnsPid > 0)) bad(`rootNetnsPid ${String(input.rootNetnsPid)} must be a PID`);
}
