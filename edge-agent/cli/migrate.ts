// `fleximigrate migrate`: starts a migration on the source agent and follows it.
import { setTimeout as sleep } from "node:timers/promises";
import { parseCommandArgs, urlFlag } from "../../src/cli/args.js";
import { CliError, type Command } from "../../src/cli/command.js";
import type { StrategyName } from "../../src/api-types/agent.js";
import { agentAt } from "../../src/cli/service-clients.js";
import { Progress, formatTable, printJson } from "../../src/cli/output.js";

const usage = `Usage: fleximigrate migrate WORKLOAD --from AGENT --to AGENT [--strategy auto|postcopy|stopcopy|precopy] [--json]

Moves WORKLOAD from one agent to another (AGENT = agent base URL, as the
source agent reaches the destination for --to) and prints what was measured.
  --strategy S    auto (default), postcopy, stopcopy or precopy
  --compress      gzip images in transfer
  --bandwidth N   limit image transfer to N bytes/s
  --timeout-s N   give up following after N seconds (default 300)
  --json          print the final migration record as JSON
`;

export const command: Command = {
  name: "migrate",
  summary: "Migrate a workload between agents",
  usage,
  async run(args) {
    const p = parseCommandArgs(
      args,
      {
        from: { type: "string" },
        to: { type: "string" },
        strategy: { type: "string" },
        compress: { type: "boolean" },
        bandwidth: { type: "string" },
        "timeout-s": { type: "string" },
        json: { type: "boolean" },
      },
      usage,
      { positionals: { min: 1, max: 1 } },
    );
    if (!p) return 0;
    const v = p.values;
    if (!v.from || !v.to) throw new CliError(`--from and --to are required\n\n${usage}`);
    const strategy = v.strategy ?? "auto";
    if (!["auto", "postcopy", "stopcopy", "precopy"].includes(strategy)) throw new CliError(`--strategy: expected auto, postcopy, stopcopy or precopy, got '${strategy}'`);
    const bandwidth = v.bandwidth === undefined ? undefined : Number(v.bandwidth);
    if (bandwidth !== undefined && !(bandwidth > 0)) throw new CliError(`--bandwidth: expected a positive number, got '${v.bandwidth}'`);
    const timeoutS = v["timeout-s"] === undefined ? 300 : Number(v["timeout-s"]);
    if (!(timeoutS > 0)) throw new CliError(`--timeout-s: expected a positive number, got '${v["timeout-s"]}'`);
    const from = urlFlag("from", v.from);
    const to = urlFlag("to", v.to);
    const source = agentAt(from!);
    const started = await source.startMigration({
      workload: p.positionals[0],
      destination: to!,
      strategy: strategy as StrategyName,
      ...(v.compress ? { compress: true } : {}),
      ...(bandwidth ? { bandwidthBps: bandwidth } : {}),
    });
    const bar = v.json ? undefined : new Progress(`migrating ${started.workloadId}`, 100);
    const end = Date.now() + timeoutS * 1000;
    let rec = started;
    while (rec.status === "running" && Date.now() < end) {
      await sleep(200);
      rec = await source.migration(started.id);
      const pct = rec.progress.totalBytes > 0 ? Math.min(99, Math.round((rec.progress.bytes / rec.progress.totalBytes) * 100)) : 0;
      bar?.update(pct, `${rec.phase} ${(rec.progress.rateBps / 1048576).toFixed(1)} MiB/s`);
    }
    if (rec.status === "running") throw new CliError(`migration ${rec.id} still running after ${timeoutS} s (phase ${rec.phase})`, 1);
    bar?.update(100, rec.phase);
    if (v.json) printJson(rec);
    else if (rec.metrics) {
      const m = rec.metrics;
      process.stdout.write(
        formatTable(
          ["STRATEGY", "TOTAL MS", "DOWNTIME MS", "BYTES BEFORE", "BYTES AFTER", "PAGES ON FAULT", "PAGES PUSHED"],
          [[m.strategy, m.totalMs, m.downtimeMs, m.bytesBeforeResume, m.bytesAfterResume, m.pagesOnFault, m.pagesPushed]],
        ),
      );
      process.stdout.write(`reason: ${m.reason}\nnow on ${rec.destination} as ${rec.destinationWorkloadId}\n`);
    }
    if (rec.status === "failed") throw new CliError(`migration ${rec.id} failed: ${rec.error}`, 1);
    return 0;
  },
};
