// `fleximigrate testbed down`: stops a running testbed (SIGTERM to the `up` process
// its state file names; it removes what it made), then removes whatever is left.
import { CliError } from "../../cli/command.js";
import { defineCommand } from "../../cli/define.js";
import { cleanPrefix } from "../clean.js";
import { readState } from "../state-file.js";
import { needRoot, prefixFlag } from "./common.js";

export const command = defineCommand({
  name: "testbed down",
  description: "Stops the testbed that `testbed up --prefix P` runs, and removes everything it made.",
  flags: { prefix: prefixFlag },
  async run({ values: v }) {
    needRoot("down");
    const state = readState(v.prefix);
    if (!state) throw new CliError(`no testbed '${v.prefix}' is known (no state file)`, 1);
    try {
      process.kill(state.pid, "SIGTERM");
      for (let i = 0; i < 600 && readState(v.prefix); i++) await new Promise((r) => setTimeout(r, 100));
    } catch {
      // its process is gone: a crash; clean below
    }
    const left = readState(v.prefix) ? await cleanPrefix(v.prefix) : null;
    process.stdout.write(`testbed ${v.prefix} down${left ? ` (leftovers removed: ${left.removed} objects, ${left.killed.length} processes)` : ""}\n`);
    return 0;
  },
});
