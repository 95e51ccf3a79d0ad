// `fleximigrate testbed clean`: removes a crashed testbed's leftovers, exactly
// what its state file lists (processes by PID, objects by name, folders).
import { defineCommand } from "../../cli/define.js";
import * as flag from "../../cli/flags.js";
import { printJson } from "../../cli/output.js";
import { cleanPrefix } from "../clean.js";
import { needRoot, prefixFlag } from "./common.js";

export const command = defineCommand({
  name: "testbed clean",
  description: `Removes what a crashed testbed run left, as its state file
(/run/fleximigrate-testbed/PREFIX.json) lists it: processes by PID (only while
their command line is still the testbed's), bridges, links and namespaces by
exact name, its folders. Never a Mininet-wide cleanup (mn -c).`,
  flags: { prefix: prefixFlag, json: flag.boolean("print what was removed as JSON") },
  async run({ values: v }) {
    needRoot("clean");
    const report = await cleanPrefix(v.prefix);
    if (v.json) printJson(report ?? { nothing: true });
    else if (!report) process.stdout.write(`nothing to clean for '${v.prefix}'\n`);
    else process.stdout.write(`cleaned '${v.prefix}': ${report.killed.length} processes (${report.killed.join(", ") || "none running"}), ${report.removed} objects, ${report.dirs.length} folders\n`);
    return 0;
  },
});

