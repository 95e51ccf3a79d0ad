// The README's authorization table, rendered from the services' access
// tables (scripts/access-table.ts prints it; test/unit/docs/access-table.test.ts
// checks that the README holds exactly this). Pure.
import { ROLES } from "../trust/identity.js";
import type { AccessTable } from "./auth.js";

export const ACCESS_TABLE_BEGIN = "<!-- access-table:begin (npx tsx scripts/access-table.ts) -->";
export const ACCESS_TABLE_END = "<!-- access-table:end -->";

export function accessMarkdown(services: ReadonlyArray<{ name: string; table: AccessTable }>): string {
  const lines = [`| service | route | ${ROLES.join(" | ")} | note |`, `|---|---|${ROLES.map(() => ":-:").join("|")}|---|`];
  for (const { name, table } of services) {
    for (const [route, row] of Object.entries(table)) {
      const cells = ROLES.map((r) => (row.public || row.roles.includes(r) ? (row.own?.[r] ? "own" : "✓") : ""));
      const note = [row.public ? "anyone, no credentials (no data)" : "", row.note ?? ""].filter(Boolean).join("; ");
      lines.push(`| ${name} | \`${route}\` | ${cells.join(" | ")} | ${note} |`);
    }
  }
  return `${ACCESS_TABLE_BEGIN}\n${lines.join("\n")}\n${ACCESS_TABLE_END}`;
}
