// What the groups, meters, ports and tables commands share: --switch (one
// switch, else every one the controller lists), --controller, --json, and
// one table of rows across switches.
import type { Command } from "../../src/cli/command.js";
import { defineCommand } from "../../src/cli/define.js";
import * as flag from "../../src/cli/flags.js";
import { type Cell, formatTable, printJson } from "../../src/cli/output.js";
import { controllerAt } from "../../src/cli/service-clients.js";
import type { ControllerClient } from "../../src/clients/controller.js";
import { controllerFlag } from "./api-client.js";

export interface PerSwitchCommand<T> {
  name: string;
  description: string;
  /** One switch's answer, through the typed client. */
  fetch(client: ControllerClient, dpid: string): Promise<T>;
  header: string[];
  /** The table rows of one switch's answer (the SWITCH column is added in front). */
  rows(answer: T): Cell[][];
  /** Printed when there are no rows at all. */
  empty: string;
}

export function perSwitchCommand<T>(c: PerSwitchCommand<T>): Command {
  return defineCommand({
    name: c.name,
    description: c.description,
    flags: {
      switch: flag.string("DPID", "only this switch (datapath id as the controller lists it)"),
      controller: controllerFlag,
      json: flag.boolean("print the API's JSON (with no --switch: one answer per switch, in a list)"),
    },
    async run(parsed) {
      const client = controllerAt(parsed.values.controller);
      const only = parsed.values.switch;
      const dpids = only !== undefined ? [only] : (await client.switches()).switches.map((s) => s.dpid).sort();
      const answers: Array<{ dpid: string; answer: T }> = [];
      for (const dpid of dpids) answers.push({ dpid, answer: await c.fetch(client, dpid) });
      if (parsed.values.json) {
        printJson(only !== undefined ? answers[0]?.answer : answers.map((a) => a.answer));
        return 0;
      }
      const rows = answers.flatMap((a) => c.rows(a.answer).map((r) => [a.dpid, ...r]));
      if (rows.length === 0) process.stdout.write(dpids.length === 0 ? "(no switches connected)\n" : `${c.empty}\n`);
      else process.stdout.write(formatTable(["SWITCH", ...c.header], rows));
      return 0;
    },
  });
}
