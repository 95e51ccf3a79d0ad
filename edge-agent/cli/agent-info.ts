// `fleximigrate agent-info`: prints an agent's capabilities.
import { defineCommand } from "../../src/cli/define.js";
import * as flag from "../../src/cli/flags.js";
import { agentFlag } from "./defaults.js";
import type { AgentCapabilities } from "../../src/api-types/agent.js";
import { agentAt } from "../../src/cli/service-clients.js";
import { formatTable, printJson } from "../../src/cli/output.js";

export const command = defineCommand({
  name: "agent-info",
  description: `Shows what an agent found at start: CRIU and its features, Docker, cgroup CPU
control, and which migration strategies work there (and why not).`,
  flags: {
    agent: agentFlag,
    json: flag.boolean("machine-readable output"),
  },
  async run(p) {
    const base = p.values.agent;
    const info = await agentAt(base).info();
    if (p.values.json) {
      printJson(info);
      return 0;
    }
    const c = info.capabilities;
    const out = [
      `node ${info.node} (${info.tier})`,
      `criu: ${c.criu.present ? `${c.criu.version ?? "?"}, check ${c.criu.checkOk ? "ok" : `fails: ${c.criu.error}`}` : "missing"}`,
      `criu tcp sockets: ${tcpLine(c.criu.tcpEstablished)}`,
      `criu features: ${Object.entries(c.criu.features).map(([k, v]) => `${k}=${v ? "yes" : "no"}`).join(" ")}`,
      `docker: ${c.docker.present ? c.docker.version : `absent (${c.docker.error ?? ""})`}`,
      `cgroup cpu control: ${c.cgroupCpu.ok ? c.cgroupCpu.path : `no (${c.cgroupCpu.error})`}`,
      "",
    ].join("\n");
    process.stdout.write(out);
    process.stdout.write(formatTable(["STRATEGY", "AVAILABLE", "WHY NOT"], Object.entries(c.strategies).map(([n, a]) => [n, a.ok, a.ok ? "" : a.reason])));
    return 0;
  },
});

function tcpLine(probe: AgentCapabilities["criu"]["tcpEstablished"]): string {
  if (!probe) return "not probed (criu check fails or criu is missing)";
  return probe.ok ? "yes (dumped an established connection at start)" : `no: ${probe.reason?.split("\n")[0] ?? "unknown"}`;
}
