// `fleximigrate migrate`: starts a migration on the source agent and follows it.
import { setTimeout as sleep } from "node:timers/promises";
import { CliError } from "../../src/cli/command.js";
import { defineCommand } from "../../src/cli/define.js";
import * as flag from "../../src/cli/flags.js";
import type { StrategyName } from "../../src/api-types/agent.js";
import { agentAt } from "../../src/cli/service-clients.js";
import { Progress, formatTable, printJson } from "../../src/cli/output.js";

export const command = defineCommand({
  name: "migrate",
  synopsis: "WORKLOAD --from AGENT --to AGENT",
  positionals: { min: 1, max: 1 },
  description: `Moves WORKLOAD from one agent to another (AGENT = agent base URL, as the
source agent reaches the destination for --to) and prints what was measured.`,
  flags: {
    // Not declared required: a missing one is reported as the pair below.
    from: flag.url("source agent", { placeholder: "AGENT" }),
    to: flag.url("destination agent, as the source reaches it", { placeholder: "AGENT" }),
    strategy: flag.choice(["auto", "postcopy", "stopcopy", "precopy"], "auto, postcopy, stopcopy or precopy", { placeholder: "S", default: "auto" }),
    compress: flag.boolean("gzip images in transfer"),
    bandwidth: flag.number("N", "limit image transfer to N bytes/s", { positive: true }),
    "timeout-s": flag.number("N", "give up following after N seconds", { positive: true, default: 300 }),
    json: flag.boolean("print the final migration record as JSON"),
  },
  async run(p) {
    const v = p.values;
    if (!v.from || !v.to) throw new CliError(`--from and --to are required\n\n${command.usage}`);
    const { from, to, strategy, bandwidth } = v;
    const timeoutS = v["timeout-s"];
    const source = agentAt(from);
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
    // The bar's timer must end with the command, whichever way it ends.
    try {
      while (rec.status === "running" && Date.now() < end) {
        await sleep(200);
        rec = await source.migration(started.id);
        const pct = rec.progress.totalBytes > 0 ? Math.min(99, Math.round((rec.progress.bytes / rec.progress.totalBytes) * 100)) : 0;
        bar?.update(pct, `${rec.phase} ${(rec.progress.rateBps / 1048576).toFixed(1)} MiB/s`);
      }
      if (rec.status === "running") throw new CliError(`migration ${rec.id} still running after ${timeoutS} s (phase ${rec.phase})`, 1);
      bar?.update(100, rec.phase);
    } finally {
      bar?.stop();
    }
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
});
