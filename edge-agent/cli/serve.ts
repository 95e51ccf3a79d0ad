// `fleximigrate agent`: starts the node agent service.
import { numberFlag, parseCommandArgs, urlFlag } from "../../src/cli/args.js";
import { CliError, type Command } from "../../src/cli/command.js";
import { detectCapabilities } from "../capabilities.js";
import { startReporting } from "../report.js";
import { Agent } from "../service/agent.js";
import { buildApp } from "../service/app.js";

const usage = `Usage: fleximigrate agent --node NAME --tier edge|cloud --listen HOST:PORT [options]

Starts a node agent: runs workloads, migrates them with CRIU, reports to the scheduler.

Options:
  --node NAME          node name (required)
  --tier edge|cloud    tier of this node (required)
  --listen HOST:PORT   address to serve on (default 127.0.0.1:7701)
  --scheduler URL      scheduler to register with and report to
  --advertise URL      base URL other agents reach this one on (default http://LISTEN)
  --work-dir DIR       scratch directory for images (default /dev/shm/fleximigrate-NODE)
  --report-ms N        report interval in ms (default 3000)
  --net-delay-ms N     network delay of this node, told to the scheduler (default 0)
  --compress           gzip images in transfer
  --bandwidth BPS      limit image transfer to BPS bytes/s
  --allow-faults       accept fault injection in migration requests (tests only)
`;

export const command: Command = {
  name: "agent",
  summary: "Start an edge/cloud node agent",
  usage,
  async run(args) {
    const p = parseCommandArgs(
      args,
      {
        node: { type: "string" },
        tier: { type: "string" },
        listen: { type: "string" },
        scheduler: { type: "string" },
        advertise: { type: "string" },
        "work-dir": { type: "string" },
        "report-ms": { type: "string" },
        "net-delay-ms": { type: "string" },
        compress: { type: "boolean" },
        bandwidth: { type: "string" },
        "allow-faults": { type: "boolean" },
      },
      usage,
      { positionals: { max: 0 } },
    );
    if (!p) return 0;
    const v = p.values;
    if (!v.node || !/^[A-Za-z0-9_-]{1,40}$/.test(v.node)) throw new CliError("--node NAME is required (letters, digits, - and _)");
    if (v.tier !== "edge" && v.tier !== "cloud") throw new CliError("--tier must be edge or cloud");
    const listen = v.listen ?? "127.0.0.1:7701";
    const m = /^(.+):(\d+)$/.exec(listen);
    if (!m) throw new CliError(`--listen: expected HOST:PORT, got '${listen}'`);
    const host = m[1]!;
    const port = numberFlag("listen", m[2], 0, { min: 0, integer: true });
    const reportMs = numberFlag("report-ms", v["report-ms"], 3000, { min: 100, integer: true });
    const netDelayMs = numberFlag("net-delay-ms", v["net-delay-ms"], 0, { min: 0 });
    const bandwidth = v.bandwidth === undefined ? undefined : numberFlag("bandwidth", v.bandwidth, 0, { min: 1 });
    const scheduler = urlFlag("scheduler", v.scheduler);
    const advertise = urlFlag("advertise", v.advertise);
    const caps = await detectCapabilities();
    const agent = new Agent(
      {
        node: v.node,
        tier: v.tier,
        selfUrl: "",
        workRoot: v["work-dir"] ?? `/dev/shm/fleximigrate-${v.node}`,
        allowFaults: v["allow-faults"] ?? false,
        compress: v.compress ?? false,
        bandwidthBps: bandwidth,
      },
      caps,
    );
    const app = await buildApp(agent);
    await app.listen({ host, port });
    const addr = app.server.address();
    const actualPort = typeof addr === "object" && addr ? addr.port : port;
    (agent.opts as { selfUrl: string }).selfUrl = advertise ?? `http://${host}:${actualPort}`;
    // One machine-readable line so scripts and tests learn the port when --listen used port 0.
    process.stdout.write(`${JSON.stringify({ listening: `http://${host}:${actualPort}`, node: v.node })}\n`);
    const stopReporting = scheduler ? startReporting(agent, scheduler, { intervalMs: reportMs, endpoint: agent.opts.selfUrl, netDelayMs }) : () => undefined;
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    stopReporting();
    // Leave nothing behind: provisional restores first, then every workload this agent ran.
    for (const id of [...agent.incoming.keys()]) await agent.abortIncoming(id).catch(() => undefined);
    for (const id of [...agent.workloads.keys()]) await agent.deleteWorkload(id, { force: true }).catch(() => undefined);
    await app.close();
    return 0;
  },
};
