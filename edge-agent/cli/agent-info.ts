// `fleximigrate agent-info`: prints an agent's capabilities.
import { parseCommandArgs, urlFlag } from "../../src/cli/args.js";
import { DEFAULT_AGENT_URL } from "./defaults.js";
import type { Command } from "../../src/cli/command.js";
import { agentAt } from "../../src/cli/service-clients.js";
import { formatTable, printJson } from "../../src/cli/output.js";

const usage = `Usage: fleximigrate agent-info [--agent URL] [--json]

Shows what an agent found at start: CRIU and its features, Docker, cgroup CPU
control, and which migration strategies work there (and why not).
  --agent URL   agent base URL (default ${DEFAULT_AGENT_URL})
  --json        machine-readable output
`;

export const command: Command = {
  name: "agent-info",
  summary: "Show an agent's capabilities",
  usage,
  async run(args) {
    const p = parseCommandArgs(args, { agent: { type: "string" }, json: { type: "boolean" } }, usage, { positionals: { max: 0 } });
    if (!p) return 0;
    const base = urlFlag("agent", p.values.agent, DEFAULT_AGENT_URL);
    const info = await agentAt(base).info();
    if (p.values.json) {
      printJson(info);
      return 0;
    }
    const c = info.capabilities;
    const out = [
      `node ${info.node} (${info.tier})`,
      `criu: ${c.criu.present ? `${c.criu.version ?? "?"}, check ${c.criu.checkOk ? "ok" : `fails: ${c.criu.error}`}` : "missing"}`,
      `criu features: ${Object.entries(c.criu.features).map(([k, v]) => `${k}=${v ? "yes" : "no"}`).join(" ")}`,
      `docker: ${c.docker.present ? c.docker.version : `absent (${c.docker.error ?? ""})`}`,
      `cgroup cpu control: ${c.cgroupCpu.ok ? c.cgroupCpu.path : `no (${c.cgroupCpu.error})`}`,
      "",
    ].join("\n");
    process.stdout.write(out);
    process.stdout.write(formatTable(["STRATEGY", "AVAILABLE", "WHY NOT"], Object.entries(c.strategies).map(([n, a]) => [n, a.ok, a.ok ? "" : a.reason])));
    return 0;
  },
};
