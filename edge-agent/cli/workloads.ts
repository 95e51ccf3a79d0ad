// `fleximigrate workloads`: lists an agent's workloads.
import { parseCommandArgs, urlFlag } from "../../src/cli/args.js";
import { DEFAULT_AGENT_URL } from "./defaults.js";
import type { Command } from "../../src/cli/command.js";
import { agentAt } from "../../src/cli/service-clients.js";
import { formatTable, printJson } from "../../src/cli/output.js";

const usage = `Usage: fleximigrate workloads [--agent URL] [--json]

Lists the workloads an agent runs.
  --agent URL   agent base URL (default ${DEFAULT_AGENT_URL})
  --json        machine-readable output
`;

export const command: Command = {
  name: "workloads",
  summary: "List an agent's workloads",
  usage,
  async run(args) {
    const p = parseCommandArgs(args, { agent: { type: "string" }, json: { type: "boolean" } }, usage, { positionals: { max: 0 } });
    if (!p) return 0;
    const base = urlFlag("agent", p.values.agent, DEFAULT_AGENT_URL);
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
};
