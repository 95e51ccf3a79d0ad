// `fleximigrate groups`: every switch's groups with their buckets and counters
// (GET /v1/switches/:dpid/groups).
import { formatInstructions } from "./flows.js";
import { perSwitchCommand } from "./per-switch.js";

export const command = perSwitchCommand({
  name: "groups",
  description: "Shows the groups on the controller's switches (or one): type, buckets with their actions, counters.",
  fetch: (client, dpid) => client.groups(dpid),
  header: ["GROUP", "TYPE", "BUCKETS", "REFS", "PACKETS", "BYTES"],
  rows: (a) =>
    a.groups.map((g) => [
      g.groupId,
      g.type,
      g.buckets.map((b) => `${g.type === "select" ? `w${b.weight}:` : ""}${formatInstructions({ actions: b.actions })}`).join(" | ") || "-",
      g.refCount,
      g.packetCount,
      g.byteCount,
    ]),
  empty: "(no groups)",
});
