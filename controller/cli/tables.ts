// `fleximigrate tables`: every switch's flow tables in use, with their
// counters and size (GET /v1/switches/:dpid/tables; --json gives every table
// with its features).
import { perSwitchCommand } from "./per-switch.js";

export const command = perSwitchCommand({
  name: "tables",
  description: `Shows the flow tables of the controller's switches (or one) that hold flows or
saw lookups: active flows, lookups, matches, capacity. --json lists every
table with its features (next tables, match fields, instructions).`,
  fetch: (client, dpid) => client.tables(dpid),
  header: ["TABLE", "NAME", "ACTIVE", "LOOKUPS", "MATCHED", "MAX", "NEXT"],
  rows: (a) =>
    a.tables
      .filter((t) => t.activeCount > 0 || t.lookupCount > 0)
      .map((t) => [t.tableId, t.name || "-", t.activeCount, t.lookupCount, t.matchedCount, t.maxEntries, t.nextTables.length > 0 ? `${t.nextTables[0]}..${t.nextTables.at(-1)}` : "-"]),
  empty: "(no table holds flows)",
});
