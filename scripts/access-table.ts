// Prints the README's authorization table from the three services' access
// tables: `npx tsx scripts/access-table.ts`, then paste it between the
// access-table markers (test/unit/docs/access-table.test.ts fails until they match).
import { CONTROLLER_ACCESS } from "../controller/api/access.js";
import { AGENT_ACCESS } from "../edge-agent/service/access.js";
import { schedulerAccess } from "../scheduler/service/access.js";
import { accessMarkdown } from "../src/http/access-markdown.js";

export const SERVICE_TABLES = [
  { name: "scheduler", table: schedulerAccess(() => undefined) },
  { name: "controller", table: CONTROLLER_ACCESS },
  { name: "agent", table: AGENT_ACCESS },
];

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(`${accessMarkdown(SERVICE_TABLES)}\n`);
