// Composition root of the CLI: the one place that knows every service's
// commands, and the one place their summaries are written. Services never
// import each other; this file may import them all.
import { type CommandEntry, commandEntry as entry } from "../src/cli/command.js";
import { dispatch } from "../src/cli/dispatch.js";

export const entries: CommandEntry[] = [
  entry("up", "Start scheduler, controller and local agents with a demo IoT load", () => import("../src/demo/up.js")),
  entry("fit", "Fit CPU-share-vs-latency models from profiling samples", () => import("../scheduler/cli/fit.js")),
  entry("profile", "Profile the image workload under CPU limits and write samples", () => import("../scheduler/cli/profile.js")),
  entry("devices", "Run IoT devices that send real requests to their placed tasks", () => import("../src/devices/command.js")),
  entry("plan", "Run placement policies offline on a cluster and a request trace", () => import("../scheduler/cli/plan.js")),
  entry("scheduler", "Start the delay-aware scheduler service", () => import("../scheduler/cli/serve.js")),
  entry("models", "Show the scheduler's latency models: source, R² and measured error", () => import("../scheduler/cli/models.js")),
  entry("policy", "Check a migration policies file, or explain which policy decides a context", () => import("../scheduler/cli/policy.js")),
  entry("migrations", "List the scheduler's migrations, or show one's timeline and metrics", () => import("../scheduler/cli/migrations.js")),
  entry("service-groups", "List service groups, move one as one request, or show its migrations", () => import("../scheduler/cli/service-groups.js")),
  entry("status", "Show etcd's members and health, and who leads the scheduler and the controller", () => import("../src/cli/status.js")),
  entry("logs", "Gather one migration's log lines from every service, in time order", () => import("../scheduler/cli/logs.js")),
  entry("controller", "Start the OpenFlow 1.3 SDN controller", () => import("../controller/cli/serve.js")),
  entry("flows", "Show flows on the controller's switches", () => import("../controller/cli/flows.js")),
  entry("groups", "Show groups on the controller's switches", () => import("../controller/cli/groups.js")),
  entry("meters", "Show meters on the controller's switches", () => import("../controller/cli/meters.js")),
  entry("ports", "Show ports of the controller's switches, with counters and rates", () => import("../controller/cli/ports.js")),
  entry("tables", "Show flow tables of the controller's switches", () => import("../controller/cli/tables.js")),
  entry("topology", "Show switches, links and hosts known to the controller", () => import("../controller/cli/topology.js")),
  entry("dns", "Show or change the controller's DNS records", () => import("../controller/cli/dns.js")),
  entry("pca", "Privacy Certificate Authority: make its keys, issue and verify nodes' attribute certificates", () => import("../src/pca/command.js")),
  entry("certs", "Project CA: make it, issue certificates per service, agent, admin, device, viewer, and bearer tokens", () => import("../src/trust/command.js")),
  entry("agent", "Start an edge/cloud node agent", () => import("../edge-agent/cli/serve.js")),
  entry("agent-info", "Show an agent's capabilities", () => import("../edge-agent/cli/agent-info.js")),
  entry("workloads", "List an agent's workloads", () => import("../edge-agent/cli/workloads.js")),
  entry("migrate", "Migrate a workload between agents", () => import("../edge-agent/cli/migrate.js")),
  entry("testbed", "The testbed: two edge sites and a cloud joined by a delaying WAN; scenarios and reports", () => import("../src/testbed/command.js")),
  entry("report", "Rebuild a testbed run's report.html, or put several runs side by side", () => import("../src/testbed/cli/report.js")),
  entry("bench", "Run a benchmark: scheduler, controller or migration", () => import("../bench/command.js")),
];

export function main(argv: string[]): Promise<number> {
  return dispatch(entries, argv);
}
