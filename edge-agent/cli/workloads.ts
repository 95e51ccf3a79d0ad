// `fleximigrate workloads`: lists an agent's workloads.
import { defineCommand } from "../../src/cli/define.js";
import * as flag from "../../src/cli/flags.js";
import { agentFlag } from "./defaults.js";
import { agentAt } from "../../src/cli/service-clients.js";
import { formatTable, printJson } from "../../src/cli/output.js";

export const command = defineCommand({
  name: "workloads",
  description: "Lists the workloads an agent runs.",
  flags: {
    agent: agentFlag,
    json: flag.boolean("machine-readable output"),
  },
  async run(p) {
    const base = p.values.agent;
    const { workloads } = await agentAt(base).workloads();
    if (p.values.json) printJson(workloads);
    else
      process.stdout.write(
        formatTable(
          ["ID", "RUNTIME", "STATE", "PID", "CPU LIMIT", "PORTS", "WHAT"],
          workloads.map((w) => [w.id, w.runtime, w.state, w.pid, w.spec.cpuLimit, w.spec.ports.join(","), w.spec.image ?? w.spec.command?.join(" ")]),
        ),
      );
    return 0;
  },
});
